// Names that end up in SQL: how they are quoted, and what a name may hold.
//
// Every piece of SQL built from a name (a connector, entity, field or table
// name, all of them the user's or an API's) quotes it with QuoteIdentifier;
// no other quoting helper exists, so there is one place to get it right.
// The same quoting serves SQLite and PostgreSQL (both double inner quotes).
//
// CheckName is the rule for names a user declares (connector types,
// entities, connectors, actions, destinations, secrets): letters (any
// Unicode letter, so `café` and `名前` are fine), digits and `_`, not
// starting with a digit — what can be written unquoted in a statement.
// Quotes, semicolons, dots, whitespace and control characters are refused.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice {

// "id" → "\"id\"", with inner double quotes doubled.
std::string QuoteIdentifier(std::string_view name);

// `what` is how the message names it ("entity", "connector"). The message
// names the name and the first character it cannot hold.
Status CheckName(std::string_view name, std::string_view what);

// The name as SQLite compares identifiers: ASCII letters folded to lower
// case, every other byte kept (SQLite folds only ASCII, so `É` and `é` stay
// two names). Two names with the same fold are one table or column to
// SQLite, so names of one kind in one scope must differ in their fold.
std::string FoldIdentifier(std::string_view name);

}  // namespace sluice
