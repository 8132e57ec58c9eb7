// Fuzz target "module_resolution": the integration module loader's
// resolution (Node's rules: relative paths, node_modules, package.json
// `exports`/`main`/`type`, symlinks) over a package tree built from the
// input, next to a directory outside the package that must never be read.
//
// Input, line by line:
//   === PATH          starts a file inside the package; the lines after it
//                     are its text (package.json files included)
//   @@@ PATH -> TO    a symlink inside the package, pointing anywhere
//   ??? SPECIFIER     an import to resolve from the main module
//
// Properties: everything resolved — the main module and every import, by
// import and by require — is a built-in module or a canonical path inside
// the package; reading it gives that file's text.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "fuzz_target.h"
#include "js/module_loader.h"

namespace fs = std::filesystem;

namespace {

// A path the input names, kept inside the package (the input may not write
// outside it; only its symlinks may point there).
std::optional<fs::path> InsidePackage(const fs::path& root, std::string_view name) {
  fs::path relative = fs::path(name).lexically_normal();
  if (relative.empty() || relative.is_absolute() || *relative.begin() == ".." ||
      *relative.begin() == ".") {
    return std::nullopt;
  }
  return root / relative;
}

void CheckResolved(const std::string& root, sluice::js::ModuleLoader& loader,
                   const sluice::Result<sluice::js::ModuleLoader::Resolved>& resolved,
                   const std::string& what) {
  if (!resolved.ok()) {
    SLUICE_FUZZ_CHECK(!resolved.status().message().empty(), what + ": an error without a message");
    return;
  }
  const std::string& key = resolved->key;
  if (key.starts_with("sluice:")) return;
  SLUICE_FUZZ_CHECK(key.starts_with(root + "/"), what + " resolved outside the package: " + key);
  std::error_code error;
  fs::path canonical = fs::canonical(key, error);
  SLUICE_FUZZ_CHECK(!error && canonical == fs::path(key),
                    what + " resolved to a path that is not canonical: " + key);
  auto source = loader.Source(*resolved);
  if (!source.ok()) return;  // unreadable, or refused: an error, not a read
  std::ifstream in(key, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  SLUICE_FUZZ_CHECK(*source == text.str(), what + ": the loader read something other than " + key);
}

}  // namespace

SLUICE_FUZZ_TARGET("module_resolution") {
  static const fs::path base =
      fs::temp_directory_path() / ("sluice-fuzz-modules-" + std::to_string(::getpid()));
  const fs::path root = base / "package";
  fs::remove_all(base);
  fs::create_directories(root);
  fs::create_directories(base / "outside/node_modules/leak");
  std::ofstream(base / "outside/secret.js") << "export const secret = 'outside';\n";
  std::ofstream(base / "outside/node_modules/leak/index.js") << "module.exports = 'outside';\n";
  std::ofstream(base / "outside/package.json") << R"({"name": "outside", "main": "secret.js"})";

  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> specifiers;
  std::ofstream* file = nullptr;
  std::ofstream current;
  int entries = 0;
  while (!input.empty() && entries < 64) {
    size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    if (line.starts_with("=== ")) {
      ++entries;
      current.close();
      file = nullptr;
      auto path = InsidePackage(root, line.substr(4));
      if (!path) continue;
      std::error_code error;
      fs::create_directories(path->parent_path(), error);
      if (error) continue;
      current.open(*path, std::ios::binary | std::ios::trunc);
      if (current) file = &current;
    } else if (line.starts_with("@@@ ")) {
      ++entries;
      current.close();
      file = nullptr;
      std::string_view rest = line.substr(4);
      size_t arrow = rest.find(" -> ");
      if (arrow == std::string_view::npos) continue;
      auto path = InsidePackage(root, rest.substr(0, arrow));
      if (!path) continue;
      std::error_code error;
      fs::create_directories(path->parent_path(), error);
      fs::create_symlink(fs::path(rest.substr(arrow + 4)), *path, error);
    } else if (line.starts_with("??? ")) {
      specifiers.emplace_back(line.substr(4));
    } else if (file) {
      file->write(line.data(), static_cast<std::streamsize>(line.size()));
      *file << '\n';
    }
  }
  current.close();

  auto loader = sluice::js::ModuleLoader::Create(root);
  SLUICE_FUZZ_CHECK(loader.ok(), "the package directory is refused: " + loader.status().ToString());
  const std::string canonical_root = fs::canonical(root).string();
  auto main = (*loader)->MainModule();
  CheckResolved(canonical_root, **loader, main, "the main module");
  const std::string referrer =
      main.ok() && !main->key.starts_with("sluice:") ? main->key : canonical_root + "/index.js";
  for (const std::string& specifier : specifiers) {
    for (bool require : {false, true}) {
      CheckResolved(canonical_root, **loader, (*loader)->Resolve(referrer, specifier, require),
                    (require ? "require('" : "import '") + specifier + (require ? "')" : "'"));
    }
  }
  fs::remove_all(base);
}
