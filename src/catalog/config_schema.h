// Validation of CONFIG_SCHEMA, CONFIG, OPTIONS, FIELDS and PARAMETERS.
//
// A schema is a JSON object: {"key": {"type": "string"|"integer"|"number"|
// "boolean"|"object"|"array", "required": bool, "default": value,
// "secret": bool, "description": text}}; every attribute is optional (no
// type accepts any value). Errors name the key involved and never quote the
// value of a secret key. Wrong JSON types are kType; unknown, missing or
// unacceptable keys kInvalidArgument.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "core/value.h"

namespace sluice {

// Checks a CONFIG_SCHEMA (or PARAMETERS) definition itself, including that
// each default passes the checks of a value (a secret key's default can only
// be a template).
Status ValidateConfigSchema(const Value& schema);

// Checks `config` against `schema` and fills in defaults, in place:
// required keys present, types right, unknown keys rejected (naming the key
// and listing the known ones). A missing or null key takes its default.
// Integer keys accept whole floats (stored back as integers).
//
// A string that is exactly one {{secrets.NAME}} or {{env.NAME}} template
// (spaces allowed inside the braces) is accepted for any type: it is resolved
// when a handler runs. Templates inside a longer string are fine for string
// keys ("Bearer {{secrets.tok}}"). A key marked "secret": true must be
// exactly one template: a literal is rejected with a message that says how to
// store it. Something like {{secret.x}} or {{env.}} is a malformed template
// (kInvalidArgument); other {{…}} text is left alone.
// `secret_exists` tells whether a referenced secret exists (kNotFound if not;
// its errors are returned as they are); null skips the check.
// kAllow accepts a literal for a secret key: connector tests, whose config
// is throwaway test data in a throwaway workspace (the guide's unit test
// writes "api_key": "test").
enum class SecretLiterals { kRefuse, kAllow };
Status ValidateConfig(const Value& schema, Value& config,
                      const std::function<Result<bool>(const std::string&)>& secret_exists,
                      SecretLiterals literals = SecretLiterals::kRefuse);

// Checks an action's arguments against its PARAMETERS, in place: unknown
// parameters rejected (naming the known ones), required ones present,
// defaults filled in, types right. Templates get no special meaning here.
Status ValidateParameters(const Value& schema, Value& params);

// Checks an entity's FIELDS: each field has a known type (string, integer,
// number, boolean, timestamp, date, document, array) and only known
// attributes (type, primary_key, filterable, sortable, required, nullable,
// description), flags being booleans. At least one field is required: a
// table needs a column.
// Field names `_raw`, `_parent` and `_sluice_…` (in any case, as SQLite
// compares column names) are refused: they are the columns Sluice adds to
// live tables and synced tables.
Status ValidateFields(const Value& fields);
// The same rule for one name (an integration's column, checked at load).
Status CheckFieldName(const std::string& name);

// Checks connector OPTIONS against the table of catalog/connector_options.h:
// known keys; numbers non-negative, a choice one of its texts, sync_table a
// name holding {entity} that stays inside a destination folder.
Status ValidateOptions(const Value& options);

}  // namespace sluice
