// Validation of CONFIG_SCHEMA, CONFIG, OPTIONS, FIELDS and PARAMETERS.
//
// A schema is a JSON object: {"key": {"type": "string"|"integer"|"number"|
// "boolean"|"object"|"array", "required": bool, "default": value,
// "secret": bool, "description": text}}. Errors name the key involved.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "core/value.h"

namespace sluice {

// Checks a CONFIG_SCHEMA (or PARAMETERS) definition itself.
Status ValidateConfigSchema(const Value& schema);

// Checks `config` against `schema` and fills in defaults, in place:
// required keys present, types right, unknown keys rejected (naming the key
// and listing the known ones). A string holding a {{secrets.NAME}} or
// {{env.NAME}} template is accepted for any type (it is resolved when a
// handler runs). A key marked "secret": true must be such a template:
// a literal is rejected with a message that says how to store it.
// `secret_exists` tells whether a referenced secret exists.
Status ValidateConfig(const Value& schema, Value& config,
                      const std::function<Result<bool>(const std::string&)>& secret_exists);

// Checks an entity's FIELDS: each field has a known type (string, integer,
// number, boolean, timestamp, date, document, array) and only known
// attributes (type, primary_key, filterable, sortable, required, nullable,
// description).
Status ValidateFields(const Value& fields);

// Checks connector OPTIONS: known keys (rate_limit, rate_limit_burst,
// timeout_seconds, retry_count, cache_ttl, batch_size, concurrency) with
// non-negative numbers.
Status ValidateOptions(const Value& options);

}  // namespace sluice
