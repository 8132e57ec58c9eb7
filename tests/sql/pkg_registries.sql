-- Declaring registries: CREATE/SHOW/DESCRIBE/DROP REGISTRY. Declaring one
-- only parses its URL and keys; nothing is contacted.
SHOW REGISTRIES;
CREATE REGISTRY team URL 'https://packages.example.com/sluice'
  TRUSTED_KEYS ('RWRWF7pTtaWdKVDs8pzFcBb8aWB1UiVMVier+Dad1q0jp6C3nMyloFPO');
CREATE REGISTRY offline URL './registry';
CREATE REGISTRY oci URL 'oci://127.0.0.1:5000/sluice' TRUSTED_KEYS (
  'RWRWF7pTtaWdKVDs8pzFcBb8aWB1UiVMVier+Dad1q0jp6C3nMyloFPO',
  'RWRYo28FRGzrYoTkBzeX7wut86vV5L1qhaszpq85jQWg3TZv3rf3D/PN');
-- A JSON-style list, an empty one, and the same key twice (kept once).
CREATE REGISTRY "json_list" URL 'file:///srv/sluice' TRUSTED_KEYS [];
CREATE REGISTRY twice URL '/srv/r' TRUSTED_KEYS ['RWRYo28FRGzrYoTkBzeX7wut86vV5L1qhaszpq85jQWg3TZv3rf3D/PN',
  'RWRYo28FRGzrYoTkBzeX7wut86vV5L1qhaszpq85jQWg3TZv3rf3D/PN'];
-- Non-ASCII names, quoted.
CREATE REGISTRY 'équipe' URL 'http://127.0.0.1:8080/r';
SHOW REGISTRIES;
DESCRIBE REGISTRY oci;
DESCRIBE REGISTRY 'équipe';

-- Duplicates, and OR REPLACE.
CREATE REGISTRY team URL '/elsewhere';
CREATE OR REPLACE REGISTRY team URL 'oci+http://localhost:5000/x';
DESCRIBE REGISTRY team;

-- Refused: a key that is not a minisign public key (never echoed), a URL of
-- no back end, a name that reads as a location.
CREATE REGISTRY bad URL '/r' TRUSTED_KEYS ('RWnot-a-key');
CREATE REGISTRY bad URL '/r' TRUSTED_KEYS ('RWRWF7pTtaWdKVDs8pzFcBb8aWB1UiVMVier+Dad1q0jp6C3nMyloFPO', 'secret-pasted-here');
CREATE REGISTRY bad URL 'ftp://example.com/r';
CREATE REGISTRY bad URL 'file://relative/path';
CREATE REGISTRY 'https://x' URL '/r';
SHOW REGISTRIES;

-- DROP, DROP IF EXISTS, and what is gone.
DROP REGISTRY twice;
DROP REGISTRY twice;
DROP REGISTRY IF EXISTS twice;
DROP REGISTRY 'équipe';
DESCRIBE REGISTRY twice;
SHOW REGISTRIES;

-- No packages are installed yet; the package columns of SHOW CONNECTOR TYPES
-- are NULL for a type defined here.
CREATE CONNECTOR TYPE 'svc' VERSION '1.0.0';
SHOW CONNECTOR TYPES;
