-- CONNECTOR_EXEC: arguments checked against PARAMETERS, handler results as
-- values, module state across calls, and each way a handler can fail.
CREATE CONNECTOR TYPE 'calc' CONFIG_SCHEMA {"offset": {"type": "integer", "default": 0}};
CREATE CONNECTOR ENTITY 'calc.numbers' FIELDS {"n": {"type": "integer"}}
  QUERY_HANDLER '''async function query() { return [{n: 1}, {n: 2}]; }''';
CREATE CONNECTOR ACTION 'calc.numbers.add'
  PARAMETERS {"a": {"type": "integer", "required": true},
              "b": {"type": "integer", "default": 10},
              "label": {"type": "string"}}
  HANDLER '''
let calls = 0;   // module state: lives as long as the connector
async function execute(config, params) {
  calls += 1;
  console.log('add called', calls);
  await new Promise(resolve => setTimeout(resolve, 5));
  return {sum: params.a + params.b + config.offset, calls, label: params.label ?? null,
          at: new Date(Date.UTC(2026, 0, 1))};
}
''';
CREATE CONNECTOR ACTION 'calc.fail' HANDLER '''
function explain() { throw new Error('the numbers do not add up'); }
async function execute() { explain(); }
''';
CREATE CONNECTOR ACTION 'calc.spin' HANDLER '''function execute() { for (;;) {} }''';
CREATE CONNECTOR ACTION 'calc.broken' HANDLER '''
async function execute() {
  return {;
}
''';
CREATE CONNECTOR ACTION 'calc.noexecute' HANDLER '''const nothing = 1;''';
CREATE CONNECTOR ACTION 'calc.cycle' HANDLER '''async function execute() { const o = {}; o.o = o; return o; }''';

CREATE CONNECTOR calc1 TYPE 'calc' CONFIG {"offset": 100} OPTIONS {"timeout_seconds": 0.5};

CONNECTOR_EXEC calc1.numbers.add({"a": 1});
DECLARE result = CONNECTOR_EXEC calc1.numbers.add(a => 2, b => 3, label => 'named');
PRINT result.sum, result.calls, result.label, result.at;
ASSERT result.calls = 2, 'module state persists across calls';

-- Arguments are checked before the handler runs.
CONNECTOR_EXEC calc1.numbers.add({"b": 1});
CONNECTOR_EXEC calc1.numbers.add({"a": "one"});
CONNECTOR_EXEC calc1.numbers.add({"a": 1, "c": 2});
CONNECTOR_EXEC calc1.numbers.add('not an object');
CONNECTOR_EXEC calc1.numbers.subtract({"a": 1});
CONNECTOR_EXEC nobody.numbers.add({"a": 1});

-- Handler failures name the connector and action; the session goes on.
CONNECTOR_EXEC calc1.fail();
CONNECTOR_EXEC calc1.spin();
CONNECTOR_EXEC calc1.broken();
CONNECTOR_EXEC calc1.noexecute();
CONNECTOR_EXEC calc1.cycle();
TRY
  CONNECTOR_EXEC calc1.spin();
CATCH timeout_error
  PRINT 'caught', error.kind;
END TRY;
DECLARE after = CONNECTOR_EXEC calc1.numbers.add({"a": 0});
PRINT 'state survives failures: calls =', after.calls;

-- Replacing a handler starts a fresh realm.
CREATE OR REPLACE CONNECTOR ACTION 'calc.numbers.add'
  PARAMETERS {"a": {"type": "integer", "required": true}}
  HANDLER '''let calls = 0; async function execute(config, params) { calls += 1; return {calls}; }''';
PRINT (CONNECTOR_EXEC calc1.numbers.add({"a": 1})).calls;

-- A disabled connector does not run.
ALTER CONNECTOR calc1 DISABLE;
CONNECTOR_EXEC calc1.numbers.add({"a": 1});
ALTER CONNECTOR calc1 ENABLE;

TEST CONNECTOR calc1;
