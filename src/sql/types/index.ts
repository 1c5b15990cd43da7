/**
 * PostgreSQL types on the wire: OIDs, pg_type rows, and text and binary codecs.
 *
 * A value's JS representation is fixed by its type OID (the seam of src/server/engine.ts):
 *
 * | type (OID) | JS value |
 * |---|---|
 * | bool (16) | boolean |
 * | int2 (21), int4 (23) | number |
 * | int8 (20) | bigint (a number is accepted on output) |
 * | float4 (700), float8 (701) | number; NaN, ±Infinity and -0 allowed |
 * | numeric (1700) | string, canonical decimal text as PostgreSQL prints it ('1.50', 'NaN', 'Infinity', '-Infinity'); number and bigint accepted on output |
 * | text (25), varchar (1043), bpchar (1042), name (19), unknown (705) | string |
 * | "char" (18) | string of at most one char; codes 0x80–0xff stand for those bytes |
 * | bytea (17) | Uint8Array (a Buffer is fine) |
 * | date (1082) | number: days since 1970-01-01; ±Infinity for 'infinity'/'-infinity' |
 * | time (1083) | bigint: µs since midnight (0 … 24:00:00) |
 * | timestamp (1114), timestamptz (1184) | bigint: µs since 1970-01-01 00:00 (UTC for timestamptz, as if UTC for timestamp); 'infinity'/'-infinity' as int64 max/min |
 * | interval (1186) | { months: number; days: number; micros: bigint } |
 * | uuid (2950) | string, lower-case canonical |
 * | json (114) | string: the JSON text as the client wrote it |
 * | jsonb (3802) | string: the JSON text (printed in PostgreSQL's canonical jsonb form) |
 * | oid (26), regproc (24), regclass (2205), regtype (2206), xid (28), cid (29) | number |
 * | int2vector (22), oidvector (30) | number[] |
 * | arrays of all of these (bool[] 1000, int4[] 1007, text[] 1009 …) | JS arrays, nested for several dimensions, null elements allowed; lower bounds are not kept |
 *
 * Encoders and decoders are chosen once per column or parameter (`textEncoder(oid)` …)
 * and are cheap per value. Unknown OIDs use text: String(value) out, the string in.
 * Decoders throw PgError with PostgreSQL's SQLSTATE and message. Text output follows the
 * CodecContext: TimeZone for timestamptz, extra_float_digits, bytea_output; only the ISO
 * DateStyle and the 'postgres' IntervalStyle are produced.
 */
import type { CodecContext } from '../../server/engine.js';

export { TypeOid, textTypeOids, integerTypeOids } from './type-oid.js';
export { textEncoder, textDecoder, type TextEncoder, type TextDecoder } from './text-codec.js';
export { binaryEncoder, binaryDecoder, fixedBinaryCodec, type BinaryEncoder, type BinaryDecoder, type FixedBinaryCodec } from './binary-codec.js';
export { pgTypes, typeInfo, typeSize, formatType, arrayElementOid, arrayTypeOid, type PgTypeInfo } from './pg-type-info.js';
export { timeZoneRule } from './time-zone.js';
export type { Interval } from './interval.js';

export const defaultCodecContext: CodecContext = Object.freeze({
  timeZone: 'UTC',
  dateStyle: 'ISO, MDY',
  intervalStyle: 'postgres',
  extraFloatDigits: 1,
  byteaOutput: 'hex',
}) as CodecContext;
