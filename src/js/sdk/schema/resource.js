// A row being resolved: the item the table resolver wrote, its parent, and
// one value holder per column. Values are converted to the column's type
// when the row leaves the scheduler (host.js), not here.

export class Scalar {
  constructor(value = null) { this._value = value ?? null; }
  get value() { return this._value; }
  set value(v) { this._value = v instanceof Scalar ? v.value : (v ?? null); }
  get valid() { return this._value !== null; }
  toString() { return this._value === null ? '(null)' : String(this._value); }
}

// Column positions by name, per columns array (tables share theirs).
const positions = new WeakMap();
export const columnIndex = (table, columnName) => {
  let byName = positions.get(table.columns);
  if (!byName) {
    byName = new Map(table.columns.map((c, i) => [c.name, i]));
    positions.set(table.columns, byName);
  }
  const index = byName.get(columnName);
  if (index === undefined) throw new Error(`table ${table.name} has no column '${columnName}'`);
  return index;
};

export class Resource {
  constructor(table, parent, item) {
    this.table = table;
    this.parent = parent;
    this.item = item;
    this.data = table.columns.map(() => new Scalar());
  }
  #index(columnName) { return columnIndex(this.table, columnName); }
  getColumnData(columnName) { return this.data[this.#index(columnName)]; }
  setColumData(columnName, value) { this.data[this.#index(columnName)].value = value; }
  // The SDK's spelling is setColumData; both work here.
  setColumnData(columnName, value) { this.setColumData(columnName, value); }
  setCqId(value) {
    const index = this.table.columns.findIndex((c) => c.name === '_cq_id');
    if (index >= 0) this.data[index].value = value;
  }
  getItem() { return this.item; }
  setItem(item) { this.item = item; }
}
