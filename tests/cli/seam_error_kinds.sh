#!/usr/bin/env bash
# One JS-error-to-kind path: an error a handler or resolver throws reaches
# TRY … CATCH with the same kind whether a SELECT, a SYNC or an action ran
# it, for declared connectors and table integrations alike. (Before, SYNC of
# an integration turned ConnectorAuthError into connector_error.)
source "$(dirname "$0")/lib.bash" "$1"

mkdir -p "$dir/authplugin"
printf '{"name": "authplugin", "version": "1.0.0", "type": "module", "main": "main.js"}\n' >"$dir/authplugin/package.json"
cat >"$dir/authplugin/main.js" <<'JS'
import { createServeCommand } from '@cloudquery/plugin-sdk-javascript/plugin/serve';
import { newPlugin } from '@cloudquery/plugin-sdk-javascript/plugin/plugin';
import { sync } from '@cloudquery/plugin-sdk-javascript/scheduler';
import { createTable } from '@cloudquery/plugin-sdk-javascript/schema/table';
import { createColumn } from '@cloudquery/plugin-sdk-javascript/schema/column';
import { Int64 } from '@cloudquery/plugin-sdk-javascript/arrow';
const fail = (kind) => async () => { throw new globalThis[kind]('key revoked for ' + kind); };
const tables = ['ConnectorAuthError', 'ConnectorRateLimitError', 'ConnectorConnectionError', 'TypeError'].map((kind) =>
  createTable({ name: kind.toLowerCase(), columns: [createColumn({ name: 'id', type: new Int64(), primaryKey: true })],
                resolver: fail(kind) }));
createServeCommand(newPlugin('p', '1', async () => ({ tables: async () => tables,
  sync: (o) => sync({ client: { id: () => 'c' }, tables, stream: o.stream, concurrency: 1 }) }))).parse();
JS
cat >"$dir/script.sql" <<SQL
CREATE CONNECTOR TYPE 'authplugin' FROM INTEGRATION '$dir/authplugin';
CREATE CONNECTOR a TYPE 'authplugin';
CREATE CONNECTOR TYPE 'declared';
CREATE CONNECTOR ENTITY 'declared.items' FIELDS {"id": {"type": "integer"}}
  QUERY_HANDLER '''async function query() { throw new ConnectorAuthError('declared key revoked'); }''';
CREATE CONNECTOR d TYPE 'declared';
TRY SELECT * FROM a.connectorautherror; CATCH auth_error PRINT 'select integration', error.kind; END TRY;
TRY SYNC CONNECTOR a ENTITIES (connectorautherror) TO '$dir/out.db'; CATCH auth_error PRINT 'sync integration', error.kind; END TRY;
TRY SYNC CONNECTOR a ENTITIES (connectorratelimiterror) TO '$dir/out.db'; CATCH rate_limit_error PRINT 'sync integration', error.kind; END TRY;
TRY SYNC CONNECTOR a ENTITIES (connectorconnectionerror) TO '$dir/out.db'; CATCH connection_error PRINT 'sync integration', error.kind; END TRY;
TRY SYNC CONNECTOR a ENTITIES (typeerror) TO '$dir/out.db'; CATCH connector_error PRINT 'sync integration', error.kind; END TRY;
TRY SELECT * FROM d.items; CATCH auth_error PRINT 'select declared', error.kind; END TRY;
TRY SYNC CONNECTOR d ENTITIES (items) TO '$dir/out.db'; CATCH auth_error PRINT 'sync declared', error.kind; END TRY;
SQL
out=$("$sluice" -w :memory: "$dir/script.sql" 2>&1)
expect_eq "the script runs to its end" 0 $?
expect_eq "every kind caught as thrown" 'select integration auth_error
sync integration auth_error
sync integration rate_limit_error
sync integration connection_error
sync integration connector_error
select declared auth_error
sync declared auth_error' "$(printf '%s\n' "$out" | grep -E '^(select|sync) (integration|declared) ')"

# The message a SYNC of an integration table shows is the one a SELECT shows.
select_err=$("$sluice" -w :memory: -c "CREATE CONNECTOR TYPE 'authplugin' FROM INTEGRATION '$dir/authplugin'" \
  -c "CREATE CONNECTOR a TYPE 'authplugin'" -c "SELECT * FROM a.connectorautherror" 2>&1)
sync_err=$("$sluice" -w :memory: -c "CREATE CONNECTOR TYPE 'authplugin' FROM INTEGRATION '$dir/authplugin'" \
  -c "CREATE CONNECTOR a TYPE 'authplugin'" -c "SYNC CONNECTOR a ENTITIES (connectorautherror) TO '$dir/out2.db'" 2>&1)
message='ConnectorAuthError: table connectorautherror (client c): resolver failed: key revoked for ConnectorAuthError
    at fail/< (authplugin/main.js:7:44)'
expect_contains "SELECT names the error class and its frames" "$message" "$select_err"
expect_contains "SYNC says the same" "$message" "$sync_err"
finish
