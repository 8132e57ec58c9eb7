// Column resolvers the SDK ships.

// "a.b.c" walks nested properties; "a\.b" is the property "a.b".
const pathSegments = (path) => {
  const segments = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\' && i + 1 < path.length) { current += path[++i]; continue; }
    if (c === '.') { segments.push(current); current = ''; continue; }
    current += c;
  }
  segments.push(current);
  return segments;
};

export const getPath = (object, path) => {
  let value = object;
  for (const segment of pathSegments(path)) {
    if (value === null || value === undefined || (typeof value !== 'object' && typeof value !== 'function')) {
      return undefined;
    }
    value = value[segment];
  }
  return value;
};

// Resolvers that finish before they return: the scheduler calls them
// without awaiting their promise (one promise job less per column and row).
export const kSynchronous = Symbol.for('sluice.synchronousResolver');
const synchronous = (resolver) => Object.defineProperty(resolver, kSynchronous, { value: true });

export const pathResolver = (path) => synchronous((_, resource, c) => {
  resource.setColumData(c.name, getPath(resource.getItem(), path));
  return Promise.resolve();
});

export const parentColumnResolver = (parentColumn) => synchronous((_, resource, c) => {
  const parent = resource.parent;
  if (!parent) throw new Error(`parent not found for column ${c.name}`);
  const parentData = parent.getColumnData(parentColumn);
  if (!parentData) throw new Error(`parent data not found for column ${c.name}`);
  resource.setColumData(c.name, parentData);
  return Promise.resolve();
});
