/**
 * Binary format: what PostgreSQL's typsend functions write and typreceive functions read.
 * Decoders check every length before reading, so hostile bytes end in 22P03, never in a
 * crash or a large allocation.
 */
import type { CodecContext } from '../../server/engine.js';
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';
import { TypeOid } from './type-oid.js';
import { arrayElementOid } from './text-codec.js';
import { decodeNumericBinary, encodeNumericBinary } from './numeric.js';
import { MAX_ARRAY_DIMENSIONS } from './array-text.js';
import { PG_EPOCH_DAYS, PG_EPOCH_MICROS, TIMESTAMP_NEG_INFINITY, TIMESTAMP_POS_INFINITY } from './datetime.js';
import type { Interval } from './interval.js';

export type BinaryEncoder = (value: unknown, ctx: CodecContext) => Uint8Array;
export type BinaryDecoder = (bytes: Uint8Array, ctx: CodecContext) => unknown;

/** More array elements than this in one value are refused before anything is allocated. */
const MAX_ARRAY_ELEMENTS = 16 * 1024 * 1024;
const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;

function fixed(size: number, write: (view: DataView, value: unknown) => void): BinaryEncoder {
  return (value) => {
    const out = new Uint8Array(size);
    write(new DataView(out.buffer), value);
    return out;
  };
}

function toBigInt(value: unknown): bigint {
  return typeof value === 'bigint' ? value : BigInt(value as number);
}

function timestampToPg(micros: bigint): bigint {
  if (micros === TIMESTAMP_POS_INFINITY || micros === TIMESTAMP_NEG_INFINITY) return micros;
  return micros - PG_EPOCH_MICROS;
}

function timestampFromPg(micros: bigint): bigint {
  if (micros === TIMESTAMP_POS_INFINITY || micros === TIMESTAMP_NEG_INFINITY) return micros;
  return micros + PG_EPOCH_MICROS;
}

const utf8 = (value: unknown): Uint8Array => Buffer.from(typeof value === 'string' ? value : String(value), 'utf8');

const scalarEncoders: Readonly<Record<number, BinaryEncoder>> = {
  [TypeOid.bool]: (v) => Uint8Array.of(v ? 1 : 0),
  [TypeOid.char]: (v) => Buffer.from(String(v), 'utf8').subarray(0, 1),
  [TypeOid.int2]: fixed(2, (d, v) => d.setInt16(0, Number(v))),
  [TypeOid.int4]: fixed(4, (d, v) => d.setInt32(0, Number(v))),
  [TypeOid.int8]: fixed(8, (d, v) => d.setBigInt64(0, toBigInt(v))),
  [TypeOid.oid]: fixed(4, (d, v) => d.setUint32(0, Number(v) >>> 0)),
  [TypeOid.regproc]: fixed(4, (d, v) => d.setUint32(0, Number(v) >>> 0)),
  [TypeOid.regclass]: fixed(4, (d, v) => d.setUint32(0, Number(v) >>> 0)),
  [TypeOid.regtype]: fixed(4, (d, v) => d.setUint32(0, Number(v) >>> 0)),
  [TypeOid.xid]: fixed(4, (d, v) => d.setUint32(0, Number(v) >>> 0)),
  [TypeOid.cid]: fixed(4, (d, v) => d.setUint32(0, Number(v) >>> 0)),
  [TypeOid.float4]: fixed(4, (d, v) => d.setFloat32(0, Number(v))),
  [TypeOid.float8]: fixed(8, (d, v) => d.setFloat64(0, Number(v))),
  [TypeOid.numeric]: (v) => encodeNumericBinary(typeof v === 'string' ? v : String(v)),
  [TypeOid.bytea]: (v) => v as Uint8Array,
  [TypeOid.date]: fixed(4, (d, v) => {
    const days = v as number;
    d.setInt32(0, days === Infinity ? INT32_MAX : days === -Infinity ? INT32_MIN : days - PG_EPOCH_DAYS);
  }),
  [TypeOid.time]: fixed(8, (d, v) => d.setBigInt64(0, toBigInt(v))),
  [TypeOid.timestamp]: fixed(8, (d, v) => d.setBigInt64(0, timestampToPg(toBigInt(v)))),
  [TypeOid.timestamptz]: fixed(8, (d, v) => d.setBigInt64(0, timestampToPg(toBigInt(v)))),
  [TypeOid.interval]: fixed(16, (d, v) => {
    const i = v as Interval;
    d.setBigInt64(0, i.micros);
    d.setInt32(8, i.days);
    d.setInt32(12, i.months);
  }),
  [TypeOid.uuid]: (v) => Buffer.from(String(v).replace(/-/g, ''), 'hex'),
  [TypeOid.json]: (v) => utf8(typeof v === 'string' ? v : JSON.stringify(v)),
  [TypeOid.jsonb]: (v) => Buffer.concat([Uint8Array.of(1), utf8(typeof v === 'string' ? v : JSON.stringify(v))]),
  [TypeOid.int2vector]: (v, ctx) => encodeArray(v, TypeOid.int2, binaryEncoder(TypeOid.int2), ctx),
  [TypeOid.oidvector]: (v, ctx) => encodeArray(v, TypeOid.oid, binaryEncoder(TypeOid.oid), ctx),
};

export function binaryEncoder(oid: number): BinaryEncoder {
  const scalar = scalarEncoders[oid];
  if (scalar) return scalar;
  const element = arrayElementOid(oid);
  if (element !== undefined) {
    const encodeElement = binaryEncoder(element);
    return (v, ctx) => encodeArray(v, element, encodeElement, ctx);
  }
  return utf8;
}

/** PostgreSQL's array_send: ndim, has-nulls flag, element OID, (size, lbound) per dimension, elements. */
function encodeArray(value: unknown, elementOid: number, encodeElement: BinaryEncoder, ctx: CodecContext): Uint8Array {
  const dims: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level) && dims.length < MAX_ARRAY_DIMENSIONS) {
    dims.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  if (dims.length === 1 && dims[0] === 0) dims.length = 0;
  const flat: unknown[] = [];
  const collect = (v: unknown, depth: number): void => {
    if (depth === dims.length) {
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== dims[depth]) {
      throw new PgError(SqlState.invalidTextRepresentation, 'multidimensional arrays must have sub-arrays with matching dimensions');
    }
    for (const item of v) collect(item, depth + 1);
  };
  if (dims.length) collect(value, 0);
  const parts: Uint8Array[] = [];
  const head = new DataView(new ArrayBuffer(12 + dims.length * 8));
  head.setInt32(0, dims.length);
  head.setInt32(4, flat.some((v) => v === null || v === undefined) ? 1 : 0);
  head.setUint32(8, elementOid);
  dims.forEach((size, i) => {
    head.setInt32(12 + i * 8, size);
    head.setInt32(16 + i * 8, 1);
  });
  parts.push(new Uint8Array(head.buffer));
  for (const item of flat) {
    const len = new DataView(new ArrayBuffer(4));
    if (item === null || item === undefined) {
      len.setInt32(0, -1);
      parts.push(new Uint8Array(len.buffer));
    } else {
      const bytes = encodeElement(item, ctx);
      len.setInt32(0, bytes.length);
      parts.push(new Uint8Array(len.buffer), bytes);
    }
  }
  return Buffer.concat(parts);
}

function badFormat(): PgError {
  return new PgError(SqlState.invalidBinaryRepresentation, 'incorrect binary data format');
}

function view(bytes: Uint8Array, size: number): DataView {
  if (bytes.length !== size) throw badFormat();
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const utf8Decoder = new globalThis.TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new PgError(SqlState.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
  }
}

const scalarDecoders: Readonly<Record<number, BinaryDecoder>> = {
  [TypeOid.bool]: (b) => view(b, 1).getUint8(0) !== 0,
  [TypeOid.char]: (b) => decodeUtf8(b),
  [TypeOid.int2]: (b) => view(b, 2).getInt16(0),
  [TypeOid.int4]: (b) => view(b, 4).getInt32(0),
  [TypeOid.int8]: (b) => view(b, 8).getBigInt64(0),
  [TypeOid.oid]: (b) => view(b, 4).getUint32(0),
  [TypeOid.regproc]: (b) => view(b, 4).getUint32(0),
  [TypeOid.regclass]: (b) => view(b, 4).getUint32(0),
  [TypeOid.regtype]: (b) => view(b, 4).getUint32(0),
  [TypeOid.xid]: (b) => view(b, 4).getUint32(0),
  [TypeOid.cid]: (b) => view(b, 4).getUint32(0),
  [TypeOid.float4]: (b) => view(b, 4).getFloat32(0),
  [TypeOid.float8]: (b) => view(b, 8).getFloat64(0),
  [TypeOid.numeric]: (b) => decodeNumericBinary(b),
  [TypeOid.bytea]: (b) => Uint8Array.from(b),
  [TypeOid.date]: (b) => {
    const days = view(b, 4).getInt32(0);
    return days === INT32_MAX ? Infinity : days === INT32_MIN ? -Infinity : days + PG_EPOCH_DAYS;
  },
  [TypeOid.time]: (b) => view(b, 8).getBigInt64(0),
  [TypeOid.timestamp]: (b) => timestampFromPg(view(b, 8).getBigInt64(0)),
  [TypeOid.timestamptz]: (b) => timestampFromPg(view(b, 8).getBigInt64(0)),
  [TypeOid.interval]: (b) => {
    const d = view(b, 16);
    return { micros: d.getBigInt64(0), days: d.getInt32(8), months: d.getInt32(12) };
  },
  [TypeOid.uuid]: (b) => {
    const hex = Buffer.from(view(b, 16).buffer, b.byteOffset, 16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
  [TypeOid.json]: (b) => decodeUtf8(b),
  [TypeOid.jsonb]: (b) => {
    if (b.length < 1 || b[0] !== 1) throw new PgError(SqlState.invalidBinaryRepresentation, 'unsupported jsonb version number');
    return decodeUtf8(b.subarray(1));
  },
  [TypeOid.int2vector]: (b, ctx) => decodeArray(b, binaryDecoder(TypeOid.int2), ctx),
  [TypeOid.oidvector]: (b, ctx) => decodeArray(b, binaryDecoder(TypeOid.oid), ctx),
};

export function binaryDecoder(oid: number): BinaryDecoder {
  const scalar = scalarDecoders[oid];
  if (scalar) return scalar;
  const element = arrayElementOid(oid);
  if (element !== undefined) {
    const decodeElement = binaryDecoder(element);
    return (b, ctx) => decodeArray(b, decodeElement, ctx);
  }
  return (b) => decodeUtf8(b);
}

function decodeArray(bytes: Uint8Array, decodeElement: BinaryDecoder, ctx: CodecContext): unknown[] {
  const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12) throw badFormat();
  const ndim = d.getInt32(0);
  const flags = d.getInt32(4);
  if (ndim < 0 || ndim > MAX_ARRAY_DIMENSIONS) {
    throw new PgError(SqlState.programLimitExceeded, `number of array dimensions (${ndim}) exceeds the maximum allowed (${MAX_ARRAY_DIMENSIONS})`);
  }
  if (flags !== 0 && flags !== 1) throw new PgError(SqlState.invalidBinaryRepresentation, 'invalid array flags');
  if (bytes.length < 12 + ndim * 8) throw badFormat();
  const dims: number[] = [];
  let total = ndim === 0 ? 0 : 1;
  for (let i = 0; i < ndim; i++) {
    const size = d.getInt32(12 + i * 8);
    if (size < 0) throw badFormat();
    dims.push(size);
    total *= size;
  }
  let offset = 12 + ndim * 8;
  // Each element takes at least its 4-byte length: a count the bytes cannot hold is a lie.
  if (total > MAX_ARRAY_ELEMENTS || total * 4 > bytes.length - offset) throw badFormat();
  const flat: unknown[] = new Array(total);
  for (let i = 0; i < total; i++) {
    if (offset + 4 > bytes.length) throw badFormat();
    const len = d.getInt32(offset);
    offset += 4;
    if (len === -1) {
      flat[i] = null;
      continue;
    }
    if (len < 0 || offset + len > bytes.length) throw badFormat();
    flat[i] = decodeElement(bytes.subarray(offset, offset + len), ctx);
    offset += len;
  }
  if (offset !== bytes.length) throw badFormat();
  if (ndim === 0) return [];
  let index = 0;
  const build = (depth: number): unknown[] => {
    const out: unknown[] = new Array(dims[depth]!);
    for (let i = 0; i < dims[depth]!; i++) out[i] = depth === ndim - 1 ? flat[index++] : build(depth + 1);
    return out;
  };
  return build(0);
}
