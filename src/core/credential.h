// The one rule for "is this a credential?", shared by the catalog's checks of
// a destination's CONFIG, DESCRIBE's masking, and the secret flags derived
// from an integration's JSON schema. Three rules used to decide this, each
// catching names the others missed; this one catches what any of them caught
// in real configs, except that a bare "key" inside a name (primary_key,
// keyspace, monkey) no longer counts.
#pragma once

#include <string_view>

namespace sluice {

// A CONFIG key whose value is a credential: it contains, in any letter case,
// "password", "passwd", "secret", "token" or "credential"; or it is "key", or
// has "key" after a word that makes it a credential (api_key, apiKey,
// private_key, accesskey, ssh-key …).
bool LooksLikeCredentialName(std::string_view name);

// A connection string with a password in it: "postgresql://user:pw@host/db"
// or "host=h password=pw".
bool HoldsPassword(std::string_view text);

}  // namespace sluice
