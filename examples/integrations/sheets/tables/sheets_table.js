// The sheets tables are dynamic: the plugin asks GET /sheets/meta which
// tables exist and what fields they have, and builds one table `sheets_NAME`
// for each (tables(meta) below). Every table has the record's id and creation
// time, then one column per field.
import { Bool, Float64, Int64, TimestampMillisecond, Utf8, List, Field } from '@cloudquery/plugin-sdk-javascript/arrow';
import { createColumn } from '@cloudquery/plugin-sdk-javascript/schema/column';
import { pathResolver } from '@cloudquery/plugin-sdk-javascript/schema/resolvers';
import { createTable } from '@cloudquery/plugin-sdk-javascript/schema/table';
import { JSONType } from '@cloudquery/plugin-sdk-javascript/types/json';

// The Arrow type of a field of the API's `type` (and `options`).
export const arrowType = ({ type, options = {} }) => {
  switch (type) {
    case 'autoNumber': {
      return new Int64();
    }
    case 'number': {
      return options.precision === 0 ? new Int64() : new Float64();
    }
    case 'checkbox': {
      return new Bool();
    }
    case 'dateTime': {
      return new TimestampMillisecond();
    }
    case 'multipleSelects': {
      return new List(new Field('item', new Utf8(), true));
    }
    case 'json': {
      return new JSONType();
    }
    default: {
      // singleLineText, email and every type this plugin does not know.
      return new Utf8();
    }
  }
};

// Field names may hold spaces or capitals; column names are snake_case.
export const columnName = (fieldName) =>
  fieldName
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '') || 'field';

// The API leaves empty fields out of a record: those columns are null.
const fieldResolver = (fieldName) => (_, resource, column) => {
  const { fields = {} } = resource.getItem();
  resource.setColumData(column.name, fields[fieldName] ?? null);
  return Promise.resolve();
};

const recordsResolver = (tableName) => async (client, _parent, stream) => {
  let offset;
  do {
    const body = await client.api.get(`/sheets/tables/${encodeURIComponent(tableName)}/records`, { offset });
    for (const record of body.records) {
      stream.write(record);
    }
    offset = body.offset;
  } while (offset);
};

export const newSheetsTable = ({ name, primary_field: primaryField, fields }) =>
  createTable({
    name: `sheets_${columnName(name)}`,
    title: `Sheets ${name}`,
    description: `Records of the sheets table ${name}`,
    resolver: recordsResolver(name),
    columns: [
      // The only notNull column, and first: SDK 0.1.25 with Arrow 19 drops
      // every row of a table whose notNull column is not the first one.
      createColumn({ name: 'record_id', type: new Utf8(), notNull: true, resolver: pathResolver('id') }),
      createColumn({ name: 'created_time', type: new TimestampMillisecond(), resolver: pathResolver('created_time') }),
      ...fields.map((field) =>
        createColumn({
          name: columnName(field.name),
          type: arrowType(field),
          description: `${field.name} (${field.type})`,
          primaryKey: field.name === primaryField,
          resolver: fieldResolver(field.name),
        }),
      ),
    ],
  });

export const tablesFromMeta = (meta) => meta.tables.map((table) => newSheetsTable(table));
