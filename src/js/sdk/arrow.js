// Apache Arrow's data types, as much of `@apache-arrow/esnext-esm` as table
// definitions use: the type classes, Field and Schema, and the enums. Sluice
// moves rows, not Arrow buffers, so vectors and IPC are not here; a type is
// only a description that src/js/sdk/host.js maps to a FIELDS type.

export const Type = Object.freeze({
  NONE: 0, Null: 1, Int: 2, Float: 3, Binary: 4, Utf8: 5, Bool: 6, Decimal: 7, Date: 8, Time: 9,
  Timestamp: 10, Interval: 11, List: 12, Struct: 13, Union: 14, FixedSizeBinary: 15, FixedSizeList: 16,
  Map: 17, Duration: 18, LargeBinary: 19, LargeUtf8: 20,
});
const typeNames = Object.fromEntries(Object.entries(Type).map(([k, v]) => [v, k]));
export const TimeUnit = Object.freeze({ SECOND: 0, MILLISECOND: 1, MICROSECOND: 2, NANOSECOND: 3,
  0: 'SECOND', 1: 'MILLISECOND', 2: 'MICROSECOND', 3: 'NANOSECOND' });
export const DateUnit = Object.freeze({ DAY: 0, MILLISECOND: 1, 0: 'DAY', 1: 'MILLISECOND' });
export const Precision = Object.freeze({ HALF: 0, SINGLE: 1, DOUBLE: 2, 0: 'HALF', 1: 'SINGLE', 2: 'DOUBLE' });
export const IntervalUnit = Object.freeze({ YEAR_MONTH: 0, DAY_TIME: 1, MONTH_DAY_NANO: 2,
  0: 'YEAR_MONTH', 1: 'DAY_TIME', 2: 'MONTH_DAY_NANO' });

export class DataType {
  get typeId() { return Type.NONE; }
  get [Symbol.toStringTag]() { return 'DataType'; }
  toString() { return typeNames[this.typeId] ?? 'DataType'; }
  static isNull(x) { return x?.typeId === Type.Null; }
  static isInt(x) { return x?.typeId === Type.Int; }
  static isFloat(x) { return x?.typeId === Type.Float; }
  static isBinary(x) { return x?.typeId === Type.Binary; }
  static isLargeBinary(x) { return x?.typeId === Type.LargeBinary; }
  static isUtf8(x) { return x?.typeId === Type.Utf8; }
  static isLargeUtf8(x) { return x?.typeId === Type.LargeUtf8; }
  static isBool(x) { return x?.typeId === Type.Bool; }
  static isDecimal(x) { return x?.typeId === Type.Decimal; }
  static isDate(x) { return x?.typeId === Type.Date; }
  static isTime(x) { return x?.typeId === Type.Time; }
  static isTimestamp(x) { return x?.typeId === Type.Timestamp; }
  static isInterval(x) { return x?.typeId === Type.Interval; }
  static isDuration(x) { return x?.typeId === Type.Duration; }
  static isList(x) { return x?.typeId === Type.List; }
  static isStruct(x) { return x?.typeId === Type.Struct; }
  static isUnion(x) { return x?.typeId === Type.Union; }
  static isFixedSizeBinary(x) { return x?.typeId === Type.FixedSizeBinary; }
  static isFixedSizeList(x) { return x?.typeId === Type.FixedSizeList; }
  static isMap(x) { return x?.typeId === Type.Map; }
}

export class Null extends DataType { get typeId() { return Type.Null; } }

export class Int extends DataType {
  constructor(isSigned, bitWidth) { super(); this.isSigned = isSigned; this.bitWidth = bitWidth; }
  get typeId() { return Type.Int; }
  toString() { return `${this.isSigned ? 'I' : 'Ui'}nt${this.bitWidth}`; }
}
export class Int8 extends Int { constructor() { super(true, 8); } }
export class Int16 extends Int { constructor() { super(true, 16); } }
export class Int32 extends Int { constructor() { super(true, 32); } }
export class Int64 extends Int { constructor() { super(true, 64); } }
export class Uint8 extends Int { constructor() { super(false, 8); } }
export class Uint16 extends Int { constructor() { super(false, 16); } }
export class Uint32 extends Int { constructor() { super(false, 32); } }
export class Uint64 extends Int { constructor() { super(false, 64); } }

export class Float extends DataType {
  constructor(precision) { super(); this.precision = precision; }
  get typeId() { return Type.Float; }
  toString() { return `Float${(this.precision << 5) || 16}`; }
}
export class Float16 extends Float { constructor() { super(Precision.HALF); } }
export class Float32 extends Float { constructor() { super(Precision.SINGLE); } }
export class Float64 extends Float { constructor() { super(Precision.DOUBLE); } }

export class Decimal extends DataType {
  constructor(scale, precision, bitWidth = 128) { super(); this.scale = scale; this.precision = precision; this.bitWidth = bitWidth; }
  get typeId() { return Type.Decimal; }
  toString() { return `Decimal[${this.precision}e${this.scale > 0 ? '+' : ''}${this.scale}]`; }
}

export class Utf8 extends DataType { get typeId() { return Type.Utf8; } }
export class LargeUtf8 extends DataType { get typeId() { return Type.LargeUtf8; } }
export class Binary extends DataType { get typeId() { return Type.Binary; } }
export class LargeBinary extends DataType { get typeId() { return Type.LargeBinary; } }
export class Bool extends DataType { get typeId() { return Type.Bool; } }
export class FixedSizeBinary extends DataType {
  constructor(byteWidth) { super(); this.byteWidth = byteWidth; }
  get typeId() { return Type.FixedSizeBinary; }
  toString() { return `FixedSizeBinary[${this.byteWidth}]`; }
}

// `Date_` is the class's name in Arrow's JS library, so it does not shadow
// the global Date.
export class Date_ extends DataType {
  constructor(unit) { super(); this.unit = unit; }
  get typeId() { return Type.Date; }
  toString() { return `Date${(this.unit + 1) * 32}<${DateUnit[this.unit]}>`; }
}
export class DateDay extends Date_ { constructor() { super(DateUnit.DAY); } }
export class DateMillisecond extends Date_ { constructor() { super(DateUnit.MILLISECOND); } }

export class Time extends DataType {
  constructor(unit, bitWidth) { super(); this.unit = unit; this.bitWidth = bitWidth; }
  get typeId() { return Type.Time; }
  toString() { return `Time${this.bitWidth}<${TimeUnit[this.unit]}>`; }
}
export class TimeSecond extends Time { constructor() { super(TimeUnit.SECOND, 32); } }
export class TimeMillisecond extends Time { constructor() { super(TimeUnit.MILLISECOND, 32); } }
export class TimeMicrosecond extends Time { constructor() { super(TimeUnit.MICROSECOND, 64); } }
export class TimeNanosecond extends Time { constructor() { super(TimeUnit.NANOSECOND, 64); } }

export class Timestamp extends DataType {
  constructor(unit, timezone = null) { super(); this.unit = unit; this.timezone = timezone; }
  get typeId() { return Type.Timestamp; }
  toString() { return `Timestamp<${TimeUnit[this.unit]}${this.timezone ? `, ${this.timezone}` : ''}>`; }
}
export class TimestampSecond extends Timestamp { constructor(tz) { super(TimeUnit.SECOND, tz); } }
export class TimestampMillisecond extends Timestamp { constructor(tz) { super(TimeUnit.MILLISECOND, tz); } }
export class TimestampMicrosecond extends Timestamp { constructor(tz) { super(TimeUnit.MICROSECOND, tz); } }
export class TimestampNanosecond extends Timestamp { constructor(tz) { super(TimeUnit.NANOSECOND, tz); } }

export class Interval extends DataType {
  constructor(unit) { super(); this.unit = unit; }
  get typeId() { return Type.Interval; }
  toString() { return `Interval<${IntervalUnit[this.unit]}>`; }
}
export class Duration extends DataType {
  constructor(unit) { super(); this.unit = unit; }
  get typeId() { return Type.Duration; }
  toString() { return `Duration<${TimeUnit[this.unit]}>`; }
}

const childOf = (child) => (child instanceof Field ? child : new Field('item', child, true));
export class List extends DataType {
  constructor(child) { super(); this.children = [childOf(child)]; }
  get typeId() { return Type.List; }
  get valueType() { return this.children[0].type; }
  get valueField() { return this.children[0]; }
  toString() { return `List<${this.valueType}>`; }
}
export class FixedSizeList extends DataType {
  constructor(listSize, child) { super(); this.listSize = listSize; this.children = [childOf(child)]; }
  get typeId() { return Type.FixedSizeList; }
  get valueType() { return this.children[0].type; }
  toString() { return `FixedSizeList[${this.listSize}]<${this.valueType}>`; }
}
export class Struct extends DataType {
  constructor(children = []) { super(); this.children = children; }
  get typeId() { return Type.Struct; }
  toString() { return `Struct<{${this.children.map((f) => `${f.name}:${f.type}`).join(', ')}}>`; }
}
export class Map_ extends DataType {
  constructor(entries, keysSorted = false) { super(); this.children = [entries]; this.keysSorted = keysSorted; }
  get typeId() { return Type.Map; }
  toString() { return `Map<{${this.children[0]?.type?.children?.map((f) => `${f.name}:${f.type}`).join(', ')}}>`; }
}

export class Field {
  constructor(name, type, nullable = false, metadata = null) {
    this.name = name;
    this.type = type;
    this.nullable = nullable;
    this.metadata = metadata || new Map();
  }
  get typeId() { return this.type.typeId; }
  get [Symbol.toStringTag]() { return 'Field'; }
  toString() { return `${this.name}: ${this.type}`; }
}

export class Schema {
  constructor(fields = [], metadata = null) {
    this.fields = fields;
    this.metadata = metadata || new Map();
  }
  get names() { return this.fields.map((f) => f.name); }
  toString() { return `Schema<{ ${this.fields.map((f, i) => `${i}: ${f}`).join(', ')} }>`; }
}
