-- Secrets are stored encrypted, listed by name only, and masked wherever
-- their values would be printed.
CREATE SECRET api_token VALUE 'tok-SUPERSECRET-42';
CREATE SECRET api_token VALUE 'another';
CREATE OR REPLACE SECRET api_token VALUE 'tok-SUPERSECRET-42';
CREATE SECRET from_env FROM ENV 'SLUICE_TEST_SECRET';
CREATE SECRET missing_env FROM ENV 'SLUICE_TEST_NO_SUCH_VARIABLE';
CREATE SECRET not_text VALUE 42;
SHOW SECRETS;

-- Output paths: PRINT, results, and error messages that quote the source.
PRINT 'the token is tok-SUPERSECRET-42 and the env one is env-secret-value-7';
SELECT 'tok-SUPERSECRET-42' AS leaked;
PRINT 1 + 'tok-SUPERSECRET-42';

DROP SECRET api_token;
DROP SECRET api_token;
SHOW SECRETS;
