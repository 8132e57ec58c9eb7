import { Bool, Float64, Int64, TimestampMillisecond, Utf8 } from '@cloudquery/plugin-sdk-javascript/arrow';
import { createColumn } from '@cloudquery/plugin-sdk-javascript/schema/column';
import { pathResolver } from '@cloudquery/plugin-sdk-javascript/schema/resolvers';
import { createTable } from '@cloudquery/plugin-sdk-javascript/schema/table';

const resolver = async (client, parent, stream) => {
  for (let cursor = '0'; cursor !== null; ) {
    const response = await fetch(`${client.url}/rows?cursor=${cursor}`);
    if (!response.ok) throw new Error(`GET /rows: HTTP ${response.status}`);
    const page = await response.json();
    for (const item of page.items) stream.write(item);
    cursor = page.next_cursor;
  }
};

export const rowsTable = createTable({
  name: 'bench_rows',
  resolver,
  columns: [
    createColumn({ name: 'id', type: new Int64(), primaryKey: true, resolver: pathResolver('id') }),
    createColumn({ name: 'name', type: new Utf8(), resolver: pathResolver('name') }),
    createColumn({ name: 'email', type: new Utf8(), resolver: pathResolver('email') }),
    createColumn({ name: 'amount', type: new Float64(), resolver: pathResolver('amount') }),
    createColumn({ name: 'active', type: new Bool(), resolver: pathResolver('active') }),
    createColumn({ name: 'quantity', type: new Int64(), resolver: pathResolver('quantity') }),
    createColumn({ name: 'created_at', type: new TimestampMillisecond(), resolver: pathResolver('created_at') }),
    createColumn({ name: 'updated_at', type: new TimestampMillisecond(), resolver: pathResolver('updated_at') }),
  ],
});
