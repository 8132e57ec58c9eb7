// Columns, with the SDK's names and defaults. Properties the SDK does not
// know are kept: `filterable` and `sortable` are Sluice's pushdown promises
// (docs/integrations.md), and the SDK drops them harmlessly.
import { Utf8 } from '../arrow.js';

// The default resolver. Sluice recognises it and maps the item's property of
// the column's name, as the guide describes (the JavaScript SDK 0.1.25 leaves
// such a column null).
export const defaultColumnResolver = () => Promise.resolve();

export const createColumn = ({
  name = '', type = new Utf8(), description = '', incrementalKey = false, notNull = false,
  primaryKey = false, resolver = defaultColumnResolver, unique = false, ignoreInTests = false, ...rest
} = {}) => ({ ...rest, name, type, description, primaryKey, notNull, incrementalKey, resolver, unique, ignoreInTests });

export const formatColumn = ({ name, type, description, primaryKey, notNull, incrementalKey, unique }) =>
  `Column(name=${name}, type=${type}, description=${description}, primary_key=${primaryKey}, ` +
  `not_null=${notNull}, incremental_key=${incrementalKey}, unique=${unique})`;
