// Sluice's semver (src/package/semver.h) over the inputs of
// tests/compat/semver_oracle.mjs: prints the same table node-semver prints,
// so tests/cli/pkg_semver_oracle.sh can diff them.
//
//   semver_tool FILE    FILE (or "-" for stdin) is {"versions": [...], "ranges": [...]}
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "package/semver.h"

namespace {

std::string Quote(const std::string& s) { return nlohmann::json(s).dump(); }

}  // namespace

int main(int argc, char** argv) {
  using namespace sluice::semver;
  if (argc != 2) {
    std::cerr << "usage: semver_tool FILE|-\n";
    return 2;
  }
  std::string text;
  if (std::string(argv[1]) == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
      std::cerr << "semver_tool: cannot read " << argv[1] << "\n";
      return 1;
    }
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  nlohmann::json inputs = nlohmann::json::parse(text, nullptr, false);
  if (inputs.is_discarded() || !inputs.contains("versions") || !inputs.contains("ranges")) {
    std::cerr << "semver_tool: expected {\"versions\": [...], \"ranges\": [...]}\n";
    return 1;
  }
  std::vector<Version> versions;
  for (const auto& v : inputs["versions"]) {
    auto parsed = ParseVersion(v.get<std::string>());
    if (!parsed.ok()) {
      std::cerr << "semver_tool: " << parsed.status().ToString() << "\n";
      return 1;
    }
    versions.push_back(*parsed);
  }
  for (const auto& r : inputs["ranges"]) {
    std::string text = r.get<std::string>();
    auto range = Range::Parse(text);
    std::cout << Quote(text) << '\t';
    if (!range.ok()) {
      std::cout << "null\t-\tnull\n";
      continue;
    }
    std::cout << Quote(range->ToString()) << '\t';
    for (const Version& v : versions) std::cout << (range->Satisfies(v) ? '1' : '0');
    auto max = MaxSatisfying(versions, *range);
    std::cout << '\t' << (max ? Quote(max->ToString()) : "null") << '\n';
  }
  return 0;
}
