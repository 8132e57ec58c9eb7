// Tables, with the SDK's names, defaults and table-selection rules.
import { Schema, Field } from '../arrow.js';

// The default row resolvers: the scheduler skips them (no await per row).
export const noRowResolver = () => Promise.resolve();

export const createTable = ({
  name = '', title = '', description = '', columns = [], relations = [], transform = () => {},
  resolver = () => Promise.resolve(), multiplexer = (client) => [client],
  postResourceResolver = noRowResolver, preResourceResolver = noRowResolver,
  isIncremental = false, ignoreInTests = false, parent = null, pkConstraintName = '', ...rest
} = {}) => ({
  ...rest, name, title, description, columns, relations, transform, resolver, multiplexer,
  postResourceResolver, preResourceResolver, isIncremental, ignoreInTests, parent, pkConstraintName,
});

export const getTablesNames = (tables) => tables.map((table) => table.name);
export const getTopLevelTableByName = (tables, name) => tables.find((table) => table.name === name);
export const getTableByName = (tables, name) => {
  for (const table of tables) {
    if (table.name === name) return table;
    const found = getTableByName(table.relations, name);
    if (found) return found;
  }
  return undefined;
};
export const getPrimaryKeys = (table) => table.columns.filter((c) => c.primaryKey).map((c) => c.name);
export const flattenTables = (tables) =>
  tables.flatMap((table) => [table, ...flattenTables(table.relations.map((c) => ({ ...c, parent: table })))]);
export const getAllParents = (table) => (table.parent ? [table.parent, ...getAllParents(table.parent)] : []);
const getAllChildren = (table) => table.relations.flatMap((r) => [r, ...getAllChildren(r)]);

// Wildcard patterns as CloudQuery's `tables:` lists use them: `*` matches
// any run of characters, a leading `!` negates.
const globToRegExp = (pattern) =>
  new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
export const isMatch = (name, patterns) => {
  const list = Array.isArray(patterns) ? patterns : [patterns];
  const positive = list.filter((p) => !p.startsWith('!'));
  const negative = list.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  if (negative.some((p) => globToRegExp(p).test(name))) return false;
  if (positive.length === 0) return negative.length > 0;
  return positive.some((p) => globToRegExp(p).test(name));
};

const filterByNamesRecursive = (tables, names) =>
  tables.filter((t) => names.includes(t.name)).map((t) => ({ ...t, relations: filterByNamesRecursive(t.relations, names) }));
const deduplicate = (tables) => tables.filter((t, i, all) => all.findIndex((o) => o.name === t.name) === i);

export const filterTables = (tables, include, skip, skipDependantTables) => {
  const flattened = flattenTables(tables);
  const withIncludes = flattened.filter((t) => isMatch(t.name, include));
  const withChildren = skipDependantTables ? withIncludes
    : deduplicate(withIncludes.flatMap((t) => [t, ...getAllChildren(t)]));
  const withParents = deduplicate(withChildren.flatMap((t) => [...getAllParents(t), t]));
  const withSkipped = withParents.filter((t) =>
    !isMatch(t.name, skip) && !getAllParents(t).some((p) => isMatch(p.name, skip)));
  const skippedParents = withParents.filter((t) => t.parent && !withSkipped.some((s) => s.name === t.parent.name))
    .map((t) => t.parent.name);
  if (skippedParents.length > 0) {
    throw new Error(`Can't skip parent table when child table is included. Skipped parents are: ${skippedParents.join(', ')}`);
  }
  return filterByNamesRecursive(tables, withSkipped.map((t) => t.name));
};

export const toArrowSchema = (table) => {
  const metadata = new Map([['cq:table_name', table.name], ['cq:table_description', table.description],
    ['cq:table_title', table.title]]);
  if (table.parent) metadata.set('cq:table_depends_on', table.parent.name);
  const fields = table.columns.map((c) => new Field(c.name, c.type, !c.notNull, new Map([
    ['cq:extension:primary_key', String(!!c.primaryKey)], ['cq:extension:unique', String(!!c.unique)],
    ['cq:extension:incremental', String(!!c.incrementalKey)]])));
  return new Schema(fields, metadata);
};
