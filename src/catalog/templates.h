// CONFIG templates: {{secrets.NAME}} (from the secret store) and
// {{env.NAME}} (from the environment) in a connector's or destination's
// CONFIG, replaced when the config is used, never stored resolved.
//
// Only top-level string values are resolved; nested objects and arrays are
// passed on as written. Anything else between {{ and }} is left alone.
#pragma once

#include <functional>
#include <set>
#include <string>

#include "core/status.h"
#include "core/value.h"

namespace sluice {

// The secret store's answer for one name (kNotFound when there is none).
using SecretLookup = std::function<Result<std::string>(const std::string& name)>;

// A connector's CONFIG. `config_schema` is its type's CONFIG_SCHEMA: values
// from {{env.X}} under a key marked secret are masked in output (secrets are
// masked by the store). Errors name the key; the caller names the connector.
Result<Value> ResolveConnectorConfig(const Value& config, const Value& config_schema,
                                     const SecretLookup& secrets);

// A destination's CONFIG: every {{env.X}} value is masked. Errors name the
// key and then `owner` ("destination 'warehouse'").
Result<Value> ResolveDestinationConfig(const Value& config, const std::string& owner,
                                       const SecretLookup& secrets);

// The secrets `value`'s templates name ({{secrets.NAME}}), in nested
// strings too: what a distributed run's catalog snapshot carries sealed.
std::set<std::string> SecretNamesIn(const Value& value);

}  // namespace sluice
