-- Statements whose execution arrives later parse today and say so when run.
CREATE CONNECTOR TYPE 'svc' CONFIG_SCHEMA {"url": {"type": "string"}};
CREATE CONNECTOR ENTITY 'svc.items' FIELDS {"id": {"type": "string"}}
  QUERY_HANDLER '''async function query() { return []; }''';
CREATE CONNECTOR c TYPE 'svc' CONFIG {"url": "mock://"};

PACKAGE CONNECTOR TYPE 'svc' VERSION '1.0.0' DESCRIPTION 'd' AUTHOR 'a' LICENSE 'MIT';
PUBLISH CONNECTOR TYPE 'svc' VERSION '1.0.0' TO '/tmp/registry';
INSTALL CONNECTOR TYPE 'svc' VERSION '^1.0' FROM REGISTRY '/tmp/registry';
