// forge_repos: every repo of every account in the spec. The multiplexer
// gives the scheduler one client per account, so accounts are fetched in
// parallel (up to the spec's concurrency) and each resolver call pages
// through one account.
import { Bool, Float64, Int64, TimestampMillisecond, Utf8, List, Field } from '@cloudquery/plugin-sdk-javascript/arrow';
import { createColumn } from '@cloudquery/plugin-sdk-javascript/schema/column';
import { pathResolver } from '@cloudquery/plugin-sdk-javascript/schema/resolvers';
import { createTable } from '@cloudquery/plugin-sdk-javascript/schema/table';
import { JSONType } from '@cloudquery/plugin-sdk-javascript/types/json';
import { issuesTable } from './forge_issues.js';

const multiplexer = (client) =>
  client.spec.accounts.map((account) => ({ ...client, id: () => `forge:${account}`, account }));

const resolver = async (client, _parent, stream) => {
  await client.api.eachPage(`/forge/accounts/${encodeURIComponent(client.account)}/repos`, 'repos', (repos) => {
    for (const repo of repos) {
      stream.write(repo);
    }
  });
};

// Runs before the column resolvers: adds a field the API does not have.
const preResourceResolver = (_, resource) => {
  const repo = resource.getItem();
  resource.setItem({ ...repo, visibility: repo.private ? 'private' : 'public' });
  return Promise.resolve();
};

// A computed column: null when the repo has no topics.
const starsPerTopic = (_, resource, column) => {
  const { stars, topics = [] } = resource.getItem();
  resource.setColumData(column.name, topics.length > 0 ? stars / topics.length : null);
  return Promise.resolve();
};

export const reposTable = createTable({
  name: 'forge_repos',
  title: 'Forge repos',
  description: 'Repos of the forge accounts in the spec',
  multiplexer,
  resolver,
  preResourceResolver,
  relations: [issuesTable],
  columns: [
    // First on purpose: SDK 0.1.25 with Arrow 19 drops every row of a table
    // whose notNull column is not the first one (encodeResource builds the
    // record a column at a time, and Arrow marks the columns not yet filled
    // in as nullable, so the schemas no longer match).
    createColumn({ name: 'full_name', type: new Utf8(), notNull: true, resolver: pathResolver('full_name') }),
    createColumn({ name: 'id', type: new Int64(), primaryKey: true, resolver: pathResolver('id') }),
    createColumn({ name: 'name', type: new Utf8(), resolver: pathResolver('name') }),
    createColumn({ name: 'account', type: new Utf8(), resolver: pathResolver('account') }),
    createColumn({ name: 'private', type: new Bool(), resolver: pathResolver('private') }),
    createColumn({ name: 'visibility', type: new Utf8(), resolver: pathResolver('visibility') }),
    createColumn({ name: 'stars', type: new Int64(), resolver: pathResolver('stars') }),
    createColumn({ name: 'score', type: new Float64(), resolver: pathResolver('score') }),
    createColumn({ name: 'created_at', type: new TimestampMillisecond(), resolver: pathResolver('created_at') }),
    createColumn({
      name: 'topics',
      type: new List(new Field('item', new Utf8(), true)),
      resolver: pathResolver('topics'),
    }),
    createColumn({ name: 'license', type: new JSONType(), resolver: pathResolver('license') }),
    createColumn({ name: 'owner_login', type: new Utf8(), resolver: pathResolver('owner.login') }),
    createColumn({ name: 'stars_per_topic', type: new Float64(), resolver: starsPerTopic }),
  ],
});
