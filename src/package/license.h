// SPDX license expressions (https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/):
// identifiers from the SPDX list (taken at build time from Debian's
// node-spdx-license-ids and node-spdx-exceptions), `+`, `WITH exception`,
// AND, OR, parentheses, and LicenseRef-… / DocumentRef-…:LicenseRef-….
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "core/status.h"

namespace sluice {

// kInvalidArgument naming the unknown identifier (with the closest known one,
// matched case-insensitively: "mit" → "did you mean MIT?") or the syntax error.
// Deprecated identifiers (GPL-2.0) are refused with their replacement hint.
Status ValidateSpdxExpression(std::string_view expression);
bool IsSpdxLicenseId(std::string_view id);

}  // namespace sluice
