// CloudQuery's UUID extension type: 16 bytes in Arrow, canonical text in Sluice.
import { FixedSizeBinary } from '../arrow.js';

export class UUIDType extends FixedSizeBinary {
  constructor() { super(16); }
  get name() { return 'uuid'; }
  get metadata() { return ''; }
  toString() { return 'uuid'; }
}
