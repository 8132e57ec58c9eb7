// What `sluice serve` and `sluice mcp` check once, before they answer
// anything: the workspace exists and opens (a mistyped path must not become
// an empty workspace that answers "no connectors" to every request, nor a
// newer Sluice's workspace a server that fails every request), and the
// masker knows every secret value the workspace holds — not only those a
// request happened to use — so a secret that reached a synced table, or an
// API's echo of one, is masked from the first response.
//
// Thread-safety: call once, before serving.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "server/serve_options.h"

namespace sluice {

// Notes for the operator (stderr), e.g. secrets that cannot be decrypted
// with this machine's key; an error when the workspace cannot be served.
Result<std::vector<std::string>> PrepareServedWorkspace(const ServeOptions& options);

}  // namespace sluice
