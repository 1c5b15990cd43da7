/**
 * Binary format: what PostgreSQL's typsend functions write and typreceive functions read.
 * Decoders check every length before reading, so hostile bytes end in a PgError (22P03
 * and friends), never in a crash or a large allocation.
 */
import type { CodecContext } from '../../server/engine.js';
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';
import { TypeOid } from './type-oid.js';
import { arrayElementOid } from './pg-type-info.js';
import { decodeNumericBinary, encodeNumericBinary } from './numeric.js';
import { arrayShape, MAX_ARRAY_DIMENSIONS, MAX_ARRAY_ELEMENTS, tooManyDimensions } from './array-text.js';
import {
  END_TIMESTAMP,
  MAX_DATE_DAYS,
  MIN_DATE_DAYS,
  MIN_TIMESTAMP,
  PG_EPOCH_DAYS,
  PG_EPOCH_MICROS,
  TIMESTAMP_NEG_INFINITY,
  TIMESTAMP_POS_INFINITY,
} from './date-time.js';
import type { Interval } from './interval.js';
import { canonicalJsonb, parseJson } from './json-text.js';
import { formatUuid, uuidBytes, uuidText } from './uuid.js';

export type BinaryEncoder = (value: unknown, ctx: CodecContext) => Uint8Array;
export type BinaryDecoder = (bytes: Uint8Array, ctx: CodecContext) => unknown;

const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;

function toBigInt(value: unknown): bigint {
  return typeof value === 'bigint' ? value : BigInt(value as number);
}

function int16(v: unknown): Uint8Array {
  const b = Buffer.allocUnsafe(2);
  b.writeInt16BE(Number(v));
  return b;
}

function int32(v: unknown): Uint8Array {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(Number(v));
  return b;
}

function uint32(v: unknown): Uint8Array {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(Number(v) >>> 0);
  return b;
}

function int64(v: unknown): Uint8Array {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(toBigInt(v));
  return b;
}

function timestamp(v: unknown): Uint8Array {
  const b = Buffer.allocUnsafe(8);
  if (typeof v === 'number') b.writeBigInt64BE(BigInt(v) - PG_EPOCH_MICROS);
  else {
    const micros = v as bigint;
    b.writeBigInt64BE(micros === TIMESTAMP_POS_INFINITY || micros === TIMESTAMP_NEG_INFINITY ? micros : micros - PG_EPOCH_MICROS);
  }
  return b;
}

function date(v: unknown): Uint8Array {
  const days = Number(v);
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(days === Infinity ? INT32_MAX : days === -Infinity ? INT32_MIN : days - PG_EPOCH_DAYS);
  return b;
}

function interval(v: unknown): Uint8Array {
  const i = v as Interval;
  const b = Buffer.allocUnsafe(16);
  b.writeBigInt64BE(toBigInt(i.micros), 0);
  b.writeInt32BE(i.days, 8);
  b.writeInt32BE(i.months, 12);
  return b;
}

const utf8 = (value: unknown): Uint8Array => Buffer.from(typeof value === 'string' ? value : String(value), 'utf8');

function bytea(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  throw new PgError(SqlState.datatypeMismatch, 'bytea value expected');
}

function charByte(value: unknown): Uint8Array {
  const s = typeof value === 'string' ? value : String(value);
  return Uint8Array.of(s.length === 0 ? 0 : s.charCodeAt(0) & 0xff);
}

function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const scalarEncoders: Readonly<Record<number, BinaryEncoder>> = {
  [TypeOid.bool]: (v) => Uint8Array.of(v ? 1 : 0),
  [TypeOid.char]: charByte,
  [TypeOid.int2]: int16,
  [TypeOid.int4]: int32,
  [TypeOid.int8]: int64,
  [TypeOid.oid]: uint32,
  [TypeOid.regproc]: uint32,
  [TypeOid.regclass]: uint32,
  [TypeOid.regtype]: uint32,
  [TypeOid.xid]: uint32,
  [TypeOid.cid]: uint32,
  [TypeOid.float4]: (v) => {
    const b = Buffer.allocUnsafe(4);
    b.writeFloatBE(Number(v));
    return b;
  },
  [TypeOid.float8]: (v) => {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(Number(v));
    return b;
  },
  [TypeOid.numeric]: encodeNumericBinary,
  [TypeOid.bytea]: bytea,
  [TypeOid.date]: date,
  [TypeOid.time]: int64,
  [TypeOid.timestamp]: timestamp,
  [TypeOid.timestamptz]: timestamp,
  [TypeOid.interval]: interval,
  [TypeOid.uuid]: (v) => uuidBytes(formatUuid(v))!,
  [TypeOid.json]: (v) => utf8(jsonText(v)),
  [TypeOid.jsonb]: (v) => Buffer.concat([Uint8Array.of(1), utf8(canonicalJsonb(jsonText(v)))]),
  // int2vector and oidvector are arrays whose lower bound is 0.
  [TypeOid.int2vector]: (v, ctx) => encodeArray(v, TypeOid.int2, int16, ctx, 0),
  [TypeOid.oidvector]: (v, ctx) => encodeArray(v, TypeOid.oid, uint32, ctx, 0),
};

export function binaryEncoder(oid: number): BinaryEncoder {
  const scalar = scalarEncoders[oid];
  if (scalar) return scalar;
  const element = arrayElementOid(oid);
  if (element !== undefined) {
    const encodeElement = binaryEncoder(element);
    return (v, ctx) => encodeArray(v, element, encodeElement, ctx, 1);
  }
  return utf8;
}

/** array_send: ndim, has-nulls flag, element OID, (size, lbound) per dimension, elements. */
function encodeArray(value: unknown, elementOid: number, encodeElement: BinaryEncoder, ctx: CodecContext, lowerBound: number): Uint8Array {
  if (!Array.isArray(value)) throw new PgError(SqlState.datatypeMismatch, 'array value expected');
  // int2vector and oidvector are always one-dimensional, even when empty.
  const dims = lowerBound === 0 ? [value.length] : arrayShape(value);
  const flat: unknown[] = dims.length === 0 ? [] : dims.length === 1 ? value : value.flat(dims.length - 1);
  if (lowerBound === 0 && flat.some((v) => v === null || v === undefined)) throw new PgError(SqlState.nullValueNotAllowed, 'null values cannot be used in a vector');
  const parts: Uint8Array[] = [];
  let total = 12 + dims.length * 8;
  let hasNulls = 0;
  for (const item of flat) {
    if (item === null || item === undefined) {
      hasNulls = 1;
      parts.push(NULL_LENGTH);
      total += 4;
    } else {
      const bytes = encodeElement(item, ctx);
      const len = Buffer.allocUnsafe(4);
      len.writeInt32BE(bytes.length);
      parts.push(len, bytes);
      total += 4 + bytes.length;
    }
  }
  const out = Buffer.allocUnsafe(total);
  out.writeInt32BE(dims.length, 0);
  out.writeInt32BE(hasNulls, 4);
  out.writeUInt32BE(elementOid, 8);
  let offset = 12;
  for (const size of dims) {
    out.writeInt32BE(size, offset);
    out.writeInt32BE(lowerBound, offset + 4);
    offset += 8;
  }
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const NULL_LENGTH = Uint8Array.of(0xff, 0xff, 0xff, 0xff);

// ---------------------------------------------------------------------------------------
// Input

function badFormat(): PgError {
  return new PgError(SqlState.invalidBinaryRepresentation, 'incorrect binary data format');
}

function view(bytes: Uint8Array, size: number): DataView {
  if (bytes.length !== size) throw badFormat();
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const utf8Decoder = new globalThis.TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.indexOf(0) >= 0) throw new PgError(SqlState.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8": 0x00');
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new PgError(SqlState.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
  }
}

function decodeName(bytes: Uint8Array): string {
  if (bytes.length >= 64) {
    throw new PgError(SqlState.nameTooLong, 'identifier too long', { detail: 'Identifier must be less than 64 characters.' });
  }
  return decodeUtf8(bytes);
}

function decodeDate(bytes: Uint8Array): number {
  const days = view(bytes, 4).getInt32(0);
  if (days === INT32_MAX) return Infinity;
  if (days === INT32_MIN) return -Infinity;
  const unix = days + PG_EPOCH_DAYS;
  if (unix < MIN_DATE_DAYS || unix > MAX_DATE_DAYS) throw new PgError(SqlState.datetimeFieldOverflow, 'date out of range');
  return unix;
}

function decodeTimestamp(bytes: Uint8Array): bigint {
  const pg = view(bytes, 8).getBigInt64(0);
  if (pg === TIMESTAMP_POS_INFINITY || pg === TIMESTAMP_NEG_INFINITY) return pg;
  const unix = pg + PG_EPOCH_MICROS;
  if (unix < MIN_TIMESTAMP || unix >= END_TIMESTAMP) throw new PgError(SqlState.datetimeFieldOverflow, 'timestamp out of range');
  return unix;
}

function decodeTime(bytes: Uint8Array): bigint {
  const t = view(bytes, 8).getBigInt64(0);
  if (t < 0n || t > 86400000000n) throw new PgError(SqlState.datetimeFieldOverflow, 'time out of range');
  return t;
}

function decodeChar(bytes: Uint8Array): string {
  const b = view(bytes, 1).getUint8(0);
  return b === 0 ? '' : String.fromCharCode(b);
}

const u32 = (b: Uint8Array): number => view(b, 4).getUint32(0);

const scalarDecoders: Readonly<Record<number, BinaryDecoder>> = {
  [TypeOid.bool]: (b) => view(b, 1).getUint8(0) !== 0,
  [TypeOid.char]: decodeChar,
  [TypeOid.int2]: (b) => view(b, 2).getInt16(0),
  [TypeOid.int4]: (b) => view(b, 4).getInt32(0),
  [TypeOid.int8]: (b) => view(b, 8).getBigInt64(0),
  [TypeOid.oid]: u32,
  [TypeOid.regproc]: u32,
  [TypeOid.regclass]: u32,
  [TypeOid.regtype]: u32,
  [TypeOid.xid]: u32,
  [TypeOid.cid]: u32,
  [TypeOid.float4]: (b) => view(b, 4).getFloat32(0),
  [TypeOid.float8]: (b) => view(b, 8).getFloat64(0),
  [TypeOid.numeric]: (b) => decodeNumericBinary(b),
  [TypeOid.text]: decodeUtf8,
  [TypeOid.varchar]: decodeUtf8,
  [TypeOid.bpchar]: decodeUtf8,
  [TypeOid.unknown]: decodeUtf8,
  [TypeOid.name]: decodeName,
  [TypeOid.bytea]: (b) => Uint8Array.from(b),
  [TypeOid.date]: decodeDate,
  [TypeOid.time]: decodeTime,
  [TypeOid.timestamp]: decodeTimestamp,
  [TypeOid.timestamptz]: decodeTimestamp,
  [TypeOid.interval]: (b) => {
    const d = view(b, 16);
    return { micros: d.getBigInt64(0), days: d.getInt32(8), months: d.getInt32(12) };
  },
  [TypeOid.uuid]: (b) => {
    if (b.length !== 16) throw badFormat();
    return uuidText(b);
  },
  [TypeOid.json]: (b) => parseJson(decodeUtf8(b)),
  [TypeOid.jsonb]: (b) => {
    if (b.length < 1 || b[0] !== 1) throw new PgError(SqlState.invalidBinaryRepresentation, 'unsupported jsonb version number ' + (b[0] ?? ''));
    return canonicalJsonb(decodeUtf8(b.subarray(1)));
  },
  [TypeOid.int2vector]: (b, ctx) => decodeArray(b, TypeOid.int2, scalarDecoders[TypeOid.int2]!, ctx),
  [TypeOid.oidvector]: (b, ctx) => decodeArray(b, TypeOid.oid, u32, ctx),
};

export function binaryDecoder(oid: number): BinaryDecoder {
  const scalar = scalarDecoders[oid];
  if (scalar) return scalar;
  const element = arrayElementOid(oid);
  if (element !== undefined) {
    const decodeElement = binaryDecoder(element);
    return (b, ctx) => decodeArray(b, element, decodeElement, ctx);
  }
  return decodeUtf8;
}

/** array_recv, with every count checked against the bytes actually present. */
function decodeArray(bytes: Uint8Array, elementOid: number, decodeElement: BinaryDecoder, ctx: CodecContext): unknown[] {
  if (bytes.length < 12) throw badFormat();
  const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ndim = d.getInt32(0);
  const flags = d.getInt32(4);
  const oid = d.getUint32(8);
  if (ndim < 0) throw new PgError(SqlState.invalidBinaryRepresentation, `invalid number of dimensions: ${ndim}`);
  if (ndim > MAX_ARRAY_DIMENSIONS) throw tooManyDimensions(ndim);
  if (flags !== 0 && flags !== 1) throw new PgError(SqlState.invalidBinaryRepresentation, 'invalid array flags');
  if (oid !== elementOid) {
    throw new PgError(SqlState.datatypeMismatch, `binary data has array element type ${oid} instead of expected ${elementOid}`);
  }
  if (bytes.length < 12 + ndim * 8) throw badFormat();
  const dims: number[] = [];
  let total = ndim === 0 ? 0 : 1;
  for (let i = 0; i < ndim; i++) {
    const size = d.getInt32(12 + i * 8);
    const lower = d.getInt32(16 + i * 8);
    if (size < 0) throw badFormat();
    if (lower + size > INT32_MAX) throw new PgError(SqlState.programLimitExceeded, 'array upper bound is too large');
    dims.push(size);
    total *= size;
    if (total > MAX_ARRAY_ELEMENTS) {
      throw new PgError(SqlState.programLimitExceeded, `array size exceeds the maximum allowed (${MAX_ARRAY_ELEMENTS})`);
    }
  }
  let offset = 12 + ndim * 8;
  // Each element takes at least its 4-byte length: a count the bytes cannot hold is a lie.
  if (total * 4 > bytes.length - offset) throw badFormat();
  const flat: unknown[] = new Array(total);
  for (let i = 0; i < total; i++) {
    if (offset + 4 > bytes.length) throw badFormat();
    const len = d.getInt32(offset);
    offset += 4;
    if (len === -1) {
      flat[i] = null;
      continue;
    }
    if (len < 0 || len > bytes.length - offset) throw badFormat();
    flat[i] = decodeElement(bytes.subarray(offset, offset + len), ctx);
    offset += len;
  }
  if (offset !== bytes.length) throw badFormat();
  if (total === 0) return [];
  let index = 0;
  const build = (depth: number): unknown[] => {
    const size = dims[depth]!;
    const out: unknown[] = new Array(size);
    for (let i = 0; i < size; i++) out[i] = depth === ndim - 1 ? flat[index++] : build(depth + 1);
    return out;
  };
  return build(0);
}
