// forge_issues: the issues of each repo, a relation (child table) of
// forge_repos. The scheduler calls its resolver once per repo row, with that
// row as `parent`.
import { Int64, TimestampMillisecond, Utf8, List, Field } from '@cloudquery/plugin-sdk-javascript/arrow';
import { createColumn } from '@cloudquery/plugin-sdk-javascript/schema/column';
import { pathResolver, parentColumnResolver } from '@cloudquery/plugin-sdk-javascript/schema/resolvers';
import { createTable } from '@cloudquery/plugin-sdk-javascript/schema/table';

const resolver = async (client, parent, stream) => {
  const repo = parent.getItem();
  await client.api.eachPage(`/forge/repos/${encodeURIComponent(repo.id)}/issues`, 'issues', (issues) => {
    for (const issue of issues) {
      stream.write(issue);
    }
  });
};

// The API gives labels as objects; the column keeps their names.
const labelNames = (_, resource, column) => {
  const labels = resource.getItem().labels ?? [];
  resource.setColumData(
    column.name,
    labels.map((label) => label.name),
  );
  return Promise.resolve();
};

// Runs after every column is resolved, so it can read resolved values.
const postResourceResolver = (_, resource) => {
  const state = resource.getColumnData('state').value;
  resource.setColumData('state_upper', state === null ? null : state.toUpperCase());
  return Promise.resolve();
};

export const issuesTable = createTable({
  name: 'forge_issues',
  title: 'Forge issues',
  description: 'Issues of each forge repo',
  resolver,
  postResourceResolver,
  columns: [
    createColumn({ name: 'id', type: new Int64(), primaryKey: true, resolver: pathResolver('id') }),
    createColumn({ name: 'repo_id', type: new Int64(), resolver: parentColumnResolver('id') }),
    createColumn({ name: 'number', type: new Int64(), resolver: pathResolver('number') }),
    createColumn({ name: 'title', type: new Utf8(), resolver: pathResolver('title') }),
    createColumn({ name: 'state', type: new Utf8(), resolver: pathResolver('state') }),
    createColumn({ name: 'state_upper', type: new Utf8(), description: 'set by the postResourceResolver' }),
    createColumn({ name: 'labels', type: new List(new Field('item', new Utf8(), true)), resolver: labelNames }),
    createColumn({ name: 'created_at', type: new TimestampMillisecond(), resolver: pathResolver('created_at') }),
    createColumn({ name: 'closed_at', type: new TimestampMillisecond(), resolver: pathResolver('closed_at') }),
    createColumn({ name: 'author', type: new Utf8(), resolver: pathResolver('author.login') }),
    createColumn({ name: 'comments', type: new Int64(), resolver: pathResolver('comments') }),
  ],
});
