// Fuzz target "yaml_config": CloudQuery sync configs (`sluice sync FILE.yaml`)
// read from arbitrary text. Reading must end in a config or an error naming
// the file — never a crash, an exception or unbounded memory (an alias bomb
// is caught by libFuzzer's -rss_limit_mb and by ASan's allocator limit).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_target.h"
#include "sync/cloudquery_config.h"

SLUICE_FUZZ_TARGET("yaml_config") {
  // The reader takes a path (it names the file in its errors).
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("sluice-fuzz-config-" + std::to_string(::getpid()) + ".yaml"))
          .string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  sluice::SyncConfig config;
  sluice::Status status = sluice::ReadCloudQueryConfig(path, config);
  std::filesystem::remove(path);
  if (!status.ok()) {
    SLUICE_FUZZ_CHECK(!status.message().empty(), "an error without a message");
    SLUICE_FUZZ_CHECK(status.ToString().find("sluice-fuzz-config-") != std::string::npos,
                      "an error that does not name the file: " + status.ToString());
    return;
  }
  for (const sluice::SourceConfig& source : config.sources) {
    SLUICE_FUZZ_CHECK(source.spec.is_object(), "a source spec that is not an object");
  }
  for (const sluice::DestinationConfig& destination : config.destinations) {
    SLUICE_FUZZ_CHECK(destination.spec.is_object(), "a destination spec that is not an object");
  }
}
