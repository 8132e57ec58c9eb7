#include "server/served_workspace.h"

#include <sys/stat.h>

#include "catalog/templates.h"
#include "catalog/workspace.h"

namespace sluice {

Result<std::vector<std::string>> PrepareServedWorkspace(const ServeOptions& options) {
  const std::string& path = options.workspace_path;
  if (path != ":memory:") {
    struct stat info {};
    if (stat(path.c_str(), &info) != 0) {
      return Status(ErrorKind::kNotFound, "no workspace at '" + path +
                                              "' (serving never creates one: define connectors with `sluice " +
                                              path + "` first)");
    }
    if (!S_ISREG(info.st_mode)) {
      return Status(ErrorKind::kInvalidArgument, "'" + path + "' is not a workspace file");
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Workspace> workspace, Workspace::Open(path));
  std::vector<std::string> notes;
  // SecretStore::Get registers each value it opens with the masker.
  ASSIGN_OR_RETURN(std::vector<SecretInfo> secrets, workspace->secrets().List());
  for (const SecretInfo& secret : secrets) {
    Result<std::string> value = workspace->secrets().Get(secret.name);
    if (!value.ok()) notes.push_back("secret '" + secret.name + "' cannot be masked: " + value.status().ToString());
  }
  // {{env.X}} values under a config key marked secret are registered when a
  // config is resolved; resolve every connector's once for that. A config
  // that does not resolve now (an unset variable) is not this check's
  // failure: that connector's own requests report it.
  ASSIGN_OR_RETURN(std::vector<ConnectorDef> connectors, workspace->catalog().ListConnectors());
  SecretLookup lookup = [&](const std::string& name) { return workspace->secrets().Get(name); };
  for (const ConnectorDef& connector : connectors) {
    Result<ConnectorTypeDef> type = workspace->catalog().GetConnectorType(connector.type);
    if (!type.ok()) continue;
    (void)ResolveConnectorConfig(connector.config, type->config_schema, lookup);
  }
  return notes;
}

}  // namespace sluice
