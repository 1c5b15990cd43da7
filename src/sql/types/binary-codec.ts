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

/**
 * A type whose binary form has one size, written into and read from a buffer in place:
 * no allocation per value, which a result batch of many rows needs (party/wire-format.ts).
 * The allocating encoders and decoders below are built on these.
 */
export interface FixedBinaryCodec {
  readonly size: number;
  write(out: Buffer, at: number, value: unknown): void;
  read(bytes: Buffer, at: number): unknown;
}

function timestampToPg(v: unknown): bigint {
  if (typeof v === 'number') return BigInt(v) - PG_EPOCH_MICROS;
  const micros = v as bigint;
  return micros === TIMESTAMP_POS_INFINITY || micros === TIMESTAMP_NEG_INFINITY ? micros : micros - PG_EPOCH_MICROS;
}

function timestampFromPg(pg: bigint): bigint {
  if (pg === TIMESTAMP_POS_INFINITY || pg === TIMESTAMP_NEG_INFINITY) return pg;
  const unix = pg + PG_EPOCH_MICROS;
  if (unix < MIN_TIMESTAMP || unix >= END_TIMESTAMP) throw new PgError(SqlState.datetimeFieldOverflow, 'timestamp out of range');
  return unix;
}

function dateToPg(v: unknown): number {
  const days = Number(v);
  return days === Infinity ? INT32_MAX : days === -Infinity ? INT32_MIN : days - PG_EPOCH_DAYS;
}

function dateFromPg(days: number): number {
  if (days === INT32_MAX) return Infinity;
  if (days === INT32_MIN) return -Infinity;
  const unix = days + PG_EPOCH_DAYS;
  if (unix < MIN_DATE_DAYS || unix > MAX_DATE_DAYS) throw new PgError(SqlState.datetimeFieldOverflow, 'date out of range');
  return unix;
}

const fixedInt16: FixedBinaryCodec = { size: 2, write: (o, at, v) => void o.writeInt16BE(Number(v), at), read: (b, at) => b.readInt16BE(at) };
const fixedInt32: FixedBinaryCodec = { size: 4, write: (o, at, v) => void o.writeInt32BE(Number(v), at), read: (b, at) => b.readInt32BE(at) };
const fixedUint32: FixedBinaryCodec = { size: 4, write: (o, at, v) => void o.writeUInt32BE(Number(v) >>> 0, at), read: (b, at) => b.readUInt32BE(at) };
const fixedInt64: FixedBinaryCodec = { size: 8, write: (o, at, v) => void o.writeBigInt64BE(toBigInt(v), at), read: (b, at) => b.readBigInt64BE(at) };
const fixedTimestamp: FixedBinaryCodec = {
  size: 8,
  write: (o, at, v) => void o.writeBigInt64BE(timestampToPg(v), at),
  read: (b, at) => timestampFromPg(b.readBigInt64BE(at)),
};

const fixedCodecs: Readonly<Record<number, FixedBinaryCodec>> = {
  [TypeOid.bool]: { size: 1, write: (o, at, v) => void (o[at] = v ? 1 : 0), read: (b, at) => b[at] !== 0 },
  [TypeOid.int2]: fixedInt16,
  [TypeOid.int4]: fixedInt32,
  [TypeOid.int8]: fixedInt64,
  [TypeOid.oid]: fixedUint32,
  [TypeOid.regproc]: fixedUint32,
  [TypeOid.regclass]: fixedUint32,
  [TypeOid.regtype]: fixedUint32,
  [TypeOid.xid]: fixedUint32,
  [TypeOid.cid]: fixedUint32,
  [TypeOid.float4]: { size: 4, write: (o, at, v) => void o.writeFloatBE(Number(v), at), read: (b, at) => b.readFloatBE(at) },
  [TypeOid.float8]: { size: 8, write: (o, at, v) => void o.writeDoubleBE(Number(v), at), read: (b, at) => b.readDoubleBE(at) },
  [TypeOid.date]: { size: 4, write: (o, at, v) => void o.writeInt32BE(dateToPg(v), at), read: (b, at) => dateFromPg(b.readInt32BE(at)) },
  [TypeOid.timestamp]: fixedTimestamp,
  [TypeOid.timestamptz]: fixedTimestamp,
};

/** The in-place codec of a fixed-size type, or undefined for a type of varying size. */
export function fixedBinaryCodec(oid: number): FixedBinaryCodec | undefined {
  return fixedCodecs[oid];
}

function allocating(codec: FixedBinaryCodec): BinaryEncoder {
  return (v) => {
    const b = Buffer.allocUnsafe(codec.size);
    codec.write(b, 0, v);
    return b;
  };
}

const encodeInt16 = allocating(fixedInt16);
const encodeUint32 = allocating(fixedUint32);

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
  ...Object.fromEntries(Object.entries(fixedCodecs).map(([oid, codec]) => [oid, allocating(codec)])),
  [TypeOid.char]: charByte,
  [TypeOid.numeric]: encodeNumericBinary,
  [TypeOid.bytea]: bytea,
  [TypeOid.time]: allocating(fixedInt64),
  [TypeOid.interval]: interval,
  [TypeOid.uuid]: (v) => uuidBytes(formatUuid(v))!,
  [TypeOid.json]: (v) => utf8(jsonText(v)),
  [TypeOid.jsonb]: (v) => Buffer.concat([Uint8Array.of(1), utf8(canonicalJsonb(jsonText(v)))]),
  // int2vector and oidvector are arrays whose lower bound is 0.
  [TypeOid.int2vector]: (v, ctx) => encodeArray(v, TypeOid.int2, encodeInt16, ctx, 0),
  [TypeOid.oidvector]: (v, ctx) => encodeArray(v, TypeOid.oid, encodeUint32, ctx, 0),
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

function inPlace(codec: FixedBinaryCodec): BinaryDecoder {
  return (bytes) => {
    if (bytes.length !== codec.size) throw badFormat();
    return codec.read(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0);
  };
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

const scalarDecoders: Readonly<Record<number, BinaryDecoder>> = {
  ...Object.fromEntries(Object.entries(fixedCodecs).map(([oid, codec]) => [oid, inPlace(codec)])),
  [TypeOid.char]: decodeChar,
  [TypeOid.numeric]: (b) => decodeNumericBinary(b),
  [TypeOid.text]: decodeUtf8,
  [TypeOid.varchar]: decodeUtf8,
  [TypeOid.bpchar]: decodeUtf8,
  [TypeOid.unknown]: decodeUtf8,
  [TypeOid.name]: decodeName,
  [TypeOid.bytea]: (b) => Uint8Array.from(b),
  [TypeOid.time]: decodeTime,
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
  [TypeOid.oidvector]: (b, ctx) => decodeArray(b, TypeOid.oid, inPlace(fixedUint32), ctx),
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
