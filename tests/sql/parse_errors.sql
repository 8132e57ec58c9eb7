-- A script with syntax errors runs nothing, and every error is reported.
PRINT 'this line must not print';
CREATE CONNECTOR TYPE myservice;
SELEC 1;
CREATE CONNECTOR ENTITY 'x.items' FIELDS {"id": {"type": "string"}};
IF TRUE THEN PRINT 1; END;
DECLARE x = {"a": 1, "a": 2};
DESCRIBE SECRET api_token;
ATTACH DATABASE ':memory:' AS other;
SYNC CONNECTOR c WRITE_MODE 'upsert';
TRY PRINT 1; CATCH oops_error PRINT 2; END TRY;
CONNECTOR_EXEC c.items.create({"a": 1}, {"b": 2});
PRINT 99999999999999999999;
PRINT 'unterminated;
