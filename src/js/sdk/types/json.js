// CloudQuery's JSON extension type: stored as Binary in Arrow, a document
// column in Sluice.
import { DataType, Type } from '../arrow.js';

export class JSONType extends DataType {
  get typeId() { return Type.Binary; }
  get name() { return 'json'; }
  get metadata() { return ''; }
  toString() { return 'json'; }
}
