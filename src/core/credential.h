// The one rule for "is this a credential?", shared by the catalog's checks of
// a destination's CONFIG, DESCRIBE's masking, and the secret flags derived
// from an integration's JSON schema. Three rules used to decide this, each
// catching names the others missed; this one is their union, so nothing that
// was treated as a credential before stops being one.
#pragma once

#include <string_view>

namespace sluice {

// A CONFIG key whose value is a credential: it contains, in any letter case,
// "password", "passwd", "secret", "token", "key" (api_key, private_key,
// apiKey …) or "credential".
bool LooksLikeCredentialName(std::string_view name);

// A connection string with a password in it: "postgresql://user:pw@host/db"
// or "host=h password=pw".
bool HoldsPassword(std::string_view text);

}  // namespace sluice
