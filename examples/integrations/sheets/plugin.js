// The sheets source plugin: one table per table of the test API server's
// Airtable-like API (tests/servers/README.md), found at init from
// GET /sheets/meta.
import { newPlugin, newUnimplementedDestination } from '@cloudquery/plugin-sdk-javascript/plugin/plugin';
import { sync } from '@cloudquery/plugin-sdk-javascript/scheduler';
import { filterTables } from '@cloudquery/plugin-sdk-javascript/schema/table';
import { newApi } from './api.js';
import { tablesFromMeta } from './tables/sheets_table.js';

const jsonSchema = JSON.stringify({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    base_url: { type: 'string', description: 'The API, e.g. http://127.0.0.1:8080' },
    token: { type: 'string', description: 'Sent as Authorization: Bearer TOKEN' },
    concurrency: { type: 'integer', minimum: 1, default: 10, description: 'Tables resolved at once' },
  },
  required: ['base_url'],
  additionalProperties: false,
});

const parseSpec = (text) => {
  const spec = JSON.parse(text);
  if (typeof spec.base_url !== 'string' || spec.base_url === '') {
    throw new Error('spec: base_url must be a non-empty string');
  }
  const { concurrency = 10 } = spec;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error('spec: concurrency must be a positive integer');
  }
  return { ...spec, base_url: spec.base_url.replace(/\/+$/, ''), concurrency };
};

const newClient = async (logger, specText, { noConnection }) => {
  // Without a connection there is no meta to read, so no tables.
  const spec = noConnection && !specText ? { concurrency: 10 } : parseSpec(specText);
  const client = {
    id: () => 'sheets',
    spec,
    api: newApi({ baseUrl: spec.base_url, token: spec.token }),
  };
  const allTables = noConnection ? [] : tablesFromMeta(await client.api.get('/sheets/meta'));
  logger?.info(`sheets: ${allTables.length} tables: ${allTables.map((t) => t.name).join(', ')}`);
  const filter = ({ tables, skipTables, skipDependentTables }) =>
    filterTables(allTables, tables, skipTables, skipDependentTables);
  return {
    ...newUnimplementedDestination(),
    tables: (options) => Promise.resolve(filter(options)),
    sync: (options) =>
      sync({
        logger,
        client,
        tables: filter(options),
        stream: options.stream,
        concurrency: spec.concurrency,
        deterministicCQId: options.deterministicCQId,
      }),
    close: () => Promise.resolve(),
  };
};

export const plugin = newPlugin('sheets', '1.0.0', newClient, {
  kind: 'source',
  team: 'sluice-examples',
  jsonSchema,
});
