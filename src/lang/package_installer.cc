// Stub: the installer (package_installer.h) arrives with the package work.
namespace sluice {}
