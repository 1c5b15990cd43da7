/**
 * DuckDB logical types → PostgreSQL type OIDs, and DuckDB values → the JS representation
 * the wire codecs expect for that OID (see src/sql/types). Picked once per column, so the
 * per-value work is a single closure call.
 */
import {
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
  DuckDBDateValue,
  DuckDBDecimalType,
  DuckDBListType,
  DuckDBArrayType,
} from '@duckdb/node-api';
import { TypeOid, arrayTypeOid } from '../../src/sql/types/index.js';

export interface PgColumnType {
  oid: number;
  typmod: number;
  /** The DuckDB type it came from (readers take fast paths by it). */
  duckTypeId: DuckDBTypeId;
  /** Converts one non-null DuckDB value to the JS representation for `oid`. */
  convert: (value: DuckDBValue) => unknown;
}

const identity = (v: DuckDBValue): unknown => v;
const toBigInt = (v: DuckDBValue): unknown => BigInt(v as number | bigint);
const toStringValue = (v: DuckDBValue): unknown => String(v);
const toMicros = (v: DuckDBValue): unknown => (v as unknown as { micros: bigint }).micros;
/** DuckDB's date infinities (DuckDBDateValue.PosInf/NegInf), compared directly: this runs per value. */
const DATE_INFINITY_DAYS = 2 ** 31 - 1;
const toDays = (v: DuckDBValue): unknown => {
  const days = (v as DuckDBDateValue).days;
  if (days === DATE_INFINITY_DAYS) return Infinity;
  if (days === -DATE_INFINITY_DAYS) return -Infinity;
  return days;
};
const toInterval = (v: DuckDBValue): unknown => {
  const i = v as unknown as { months: number; days: number; micros: bigint };
  return { months: i.months, days: i.days, micros: i.micros };
};
const toBytes = (v: DuckDBValue): unknown => (v as unknown as { bytes: Uint8Array }).bytes;
const TIMESTAMP_INFINITY = 9223372036854775807n;
const toTimestampMicros = (v: DuckDBValue): unknown => {
  const t = v as unknown as { micros: bigint; isFinite: boolean };
  if (t.isFinite) return t.micros;
  return t.micros > 0n ? TIMESTAMP_INFINITY : -TIMESTAMP_INFINITY - 1n;
};

/** The PostgreSQL type for a DuckDB column type; unknown ones are sent as text. */
export function pgColumnType(type: DuckDBType): PgColumnType {
  return { ...pgTypeFor(type), duckTypeId: type.typeId };
}

function pgTypeFor(type: DuckDBType): Omit<PgColumnType, 'duckTypeId'> {
  if (type.alias === 'JSON') return { oid: TypeOid.json, typmod: -1, convert: toStringValue };
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { oid: TypeOid.bool, typmod: -1, convert: identity };
    // DuckDB already hands these over as JS numbers (and BIGINT as bigint): no conversion.
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      return { oid: TypeOid.int2, typmod: -1, convert: identity };
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.USMALLINT:
      return { oid: TypeOid.int4, typmod: -1, convert: identity };
    case DuckDBTypeId.BIGINT:
      return { oid: TypeOid.int8, typmod: -1, convert: identity };
    case DuckDBTypeId.UINTEGER:
      return { oid: TypeOid.int8, typmod: -1, convert: toBigInt };
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      // Wider than int8: PostgreSQL's answer for such values is numeric.
      return { oid: TypeOid.numeric, typmod: -1, convert: toStringValue };
    case DuckDBTypeId.FLOAT:
      return { oid: TypeOid.float4, typmod: -1, convert: identity };
    case DuckDBTypeId.DOUBLE:
      return { oid: TypeOid.float8, typmod: -1, convert: identity };
    case DuckDBTypeId.DECIMAL: {
      const d = type as DuckDBDecimalType;
      // numeric typmod: ((precision << 16) | scale) + VARHDRSZ
      return { oid: TypeOid.numeric, typmod: ((d.width << 16) | d.scale) + 4, convert: toStringValue };
    }
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
      return { oid: TypeOid.text, typmod: -1, convert: toStringValue };
    case DuckDBTypeId.BLOB:
      return { oid: TypeOid.bytea, typmod: -1, convert: toBytes };
    case DuckDBTypeId.DATE:
      return { oid: TypeOid.date, typmod: -1, convert: toDays };
    case DuckDBTypeId.TIME:
      return { oid: TypeOid.time, typmod: -1, convert: toMicros };
    case DuckDBTypeId.TIMESTAMP:
      return { oid: TypeOid.timestamp, typmod: -1, convert: toTimestampMicros };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { oid: TypeOid.timestamptz, typmod: -1, convert: toTimestampMicros };
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      // Different units; their string form is exact and the timestamp codec parses it.
      return { oid: TypeOid.timestamp, typmod: -1, convert: (v) => timestampFromString(String(v)) };
    case DuckDBTypeId.INTERVAL:
      return { oid: TypeOid.interval, typmod: -1, convert: toInterval };
    case DuckDBTypeId.UUID:
      return { oid: TypeOid.uuid, typmod: -1, convert: toStringValue };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const child = pgTypeFor((type as DuckDBListType | DuckDBArrayType).valueType);
      const arrayOid = arrayTypeOid(child.oid);
      if (arrayOid === undefined) return { oid: TypeOid.text, typmod: -1, convert: toStringValue };
      return {
        oid: arrayOid,
        typmod: -1,
        convert: (v) =>
          (v as unknown as { items: DuckDBValue[] }).items.map((item) => (item === null ? null : child.convert(item))),
      };
    }
    default:
      return { oid: TypeOid.text, typmod: -1, convert: toStringValue };
  }
}

function timestampFromString(text: string): bigint {
  const ms = Date.parse(text.replace(' ', 'T') + (text.endsWith('Z') ? '' : 'Z'));
  const fraction = /\.(\d+)/.exec(text)?.[1] ?? '';
  const micros = BigInt((fraction + '000000').slice(3, 6));
  return BigInt(ms) * 1000n + micros;
}

