// The forge source plugin: tables forge_repos and its relation forge_issues,
// read from the test API server's GitHub-like API (tests/servers/README.md).
import { newPlugin, newUnimplementedDestination } from '@cloudquery/plugin-sdk-javascript/plugin/plugin';
import { sync } from '@cloudquery/plugin-sdk-javascript/scheduler';
import { filterTables } from '@cloudquery/plugin-sdk-javascript/schema/table';
import { newApi } from './api.js';
import { reposTable } from './tables/forge_repos.js';

const allTables = [reposTable];

const jsonSchema = JSON.stringify({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    base_url: { type: 'string', description: 'The API, e.g. http://127.0.0.1:8080' },
    token: { type: 'string', description: 'Sent as Authorization: Bearer TOKEN' },
    accounts: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Accounts to sync' },
    concurrency: { type: 'integer', minimum: 1, default: 10, description: 'Table clients resolved at once' },
  },
  required: ['base_url', 'accounts'],
  additionalProperties: false,
});

const parseSpec = (text) => {
  const spec = JSON.parse(text);
  if (typeof spec.base_url !== 'string' || spec.base_url === '') {
    throw new Error('spec: base_url must be a non-empty string');
  }
  const { accounts } = spec;
  if (!Array.isArray(accounts) || accounts.length === 0 || !accounts.every((a) => typeof a === 'string')) {
    throw new Error('spec: accounts must be a non-empty array of strings');
  }
  const { concurrency = 10 } = spec;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error('spec: concurrency must be a positive integer');
  }
  return { ...spec, base_url: spec.base_url.replace(/\/+$/, ''), concurrency };
};

const newClient = (logger, specText, { noConnection }) => {
  // Without a connection (e.g. to list the tables) the spec may be empty.
  const spec = noConnection && !specText ? { accounts: [], concurrency: 10 } : parseSpec(specText);
  const client = {
    id: () => 'forge',
    spec,
    api: newApi({ baseUrl: spec.base_url, token: spec.token }),
  };
  const filter = ({ tables, skipTables, skipDependentTables }) =>
    filterTables(allTables, tables, skipTables, skipDependentTables);
  return Promise.resolve({
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
  });
};

export const plugin = newPlugin('forge', '1.0.0', newClient, {
  kind: 'source',
  team: 'sluice-examples',
  jsonSchema,
});
