// Stub: `sluice keygen` and `sluice package` (package_command.h) arrive with the package work.
namespace sluice {}
