#include "cli/worker_command.h"

namespace sluice {

int RunWorkerCommand(const std::vector<std::string>& /*args*/, ConsoleSink& sink) {
  sink.Error(Status(ErrorKind::kNotImplemented, "sluice worker is not built yet"));
  return 2;
}

}  // namespace sluice
