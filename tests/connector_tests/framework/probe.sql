-- A connector type for testing the test framework: an entity that fetches
-- /things (optionally ?kind=…), an action that counts its calls in module
-- state, and an action that throws.
CREATE CONNECTOR TYPE 'probe' CONFIG_SCHEMA {"url": {"type": "string", "required": true},
                                             "token": {"type": "string", "secret": true}};

CREATE CONNECTOR ENTITY 'probe.things'
  FIELDS {"id": {"type": "integer", "primary_key": true}, "kind": {"type": "string", "filterable": true}}
  QUERY_HANDLER '''
async function query(config, filters) {
  const kind = filters.kind ? `?kind=${encodeURIComponent(filters.kind)}` : '';
  const response = await fetch(`${config.url}/things${kind}`,
                               {headers: {'X-Token': config.token || 'none'}});
  if (!response.ok) throw new ConnectorError(`things: HTTP ${response.status}`);
  return (await response.json()).things;
}''';

CREATE CONNECTOR ACTION 'probe.count' PARAMETERS {}
  HANDLER '''
let calls = 0;
async function execute() { calls += 1; return {calls}; }''';

CREATE CONNECTOR ACTION 'probe.explode' PARAMETERS {}
  HANDLER '''
async function execute() { throw new Error('boom: the handler exploded'); }''';

CREATE CONNECTOR ACTION 'probe.lookup' PARAMETERS {"id": {"type": "string", "required": true}}
  HANDLER '''
async function execute(config, params) {
  const response = await fetch(`${config.url}/things/${params.id}?full=1`);
  return await response.json();
}''';
