// Fuzz target "yaml_config": CloudQuery sync configs (`sluice sync FILE.yaml`)
// read from arbitrary text. Reading must end in a config or an error naming
// the file — never a crash, an exception or unbounded memory (an alias bomb
// must not take the process's memory: reading one grows peak RSS by less
// than 512 MiB, and libFuzzer's -rss_limit_mb stops anything worse).
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_target.h"
#include "sync/cloudquery_config.h"

SLUICE_FUZZ_TARGET("yaml_config") {
  // The reader takes a path (it names the file in its errors).
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("sluice-fuzz-config-" + std::to_string(::getpid()) + ".yaml"))
                                      .string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto peak_kib = [] {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<long>(usage.ru_maxrss);
  };
  const long peak_before = peak_kib();
  sluice::SyncConfig config;
  sluice::Status status;
  try {
    status = sluice::ReadCloudQueryConfig(path, config);
  } catch (const std::exception& e) {
    sluice::fuzz::Fail("ReadCloudQueryConfig", std::string("an exception escaped: ") + e.what());
  }
  std::filesystem::remove(path);
  const long grown_mib = (peak_kib() - peak_before) / 1024;
  SLUICE_FUZZ_CHECK(grown_mib < 512, "reading " + std::to_string(size) +
                                         " bytes of config grew the peak RSS by " +
                                         std::to_string(grown_mib) + " MiB");
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
