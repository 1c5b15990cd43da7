/**
 * Binds decoded wire parameters (JS values in the representation of their PostgreSQL
 * type, see src/sql/types) to a DuckDB prepared statement, and reports the parameter
 * types DuckDB inferred as PostgreSQL OIDs.
 */
import {
  DuckDBTypeId,
  DuckDBDateValue,
  DuckDBTimeValue,
  DuckDBTimestampValue,
  DuckDBTimestampTZValue,
  DuckDBIntervalValue,
  type DuckDBPreparedStatement,
  type DuckDBListType,
  type DuckDBArrayType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { TypeOid, arrayElementOid, arrayTypeOid } from '../sql/types/index.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** The OID to announce for each parameter: the client's, else DuckDB's inference, else text. */
export function inferParamTypes(prepared: DuckDBPreparedStatement, clientTypes: readonly number[]): number[] {
  const count = prepared.parameterCount;
  const types: number[] = [];
  for (let i = 0; i < count; i++) {
    const given = clientTypes[i] ?? 0;
    types.push(given !== 0 ? given : inferredOid(prepared, i + 1));
  }
  return types;
}

function inferredOid(prepared: DuckDBPreparedStatement, index: number): number {
  const id = prepared.parameterTypeId(index);
  if (id === DuckDBTypeId.LIST || id === DuckDBTypeId.ARRAY) {
    const element = pgOidOfDuckDbTypeId((prepared.parameterType(index) as DuckDBListType | DuckDBArrayType).valueType.typeId);
    return arrayTypeOid(element) ?? TypeOid.text;
  }
  return pgOidOfDuckDbTypeId(id);
}

/** Element types whose JS values duckDbValue() turns into DuckDB list items. */
const LIST_ELEMENTS: ReadonlySet<number> = new Set([
  TypeOid.bool, TypeOid.int2, TypeOid.int4, TypeOid.int8, TypeOid.float4, TypeOid.float8, TypeOid.numeric,
  TypeOid.text, TypeOid.varchar, TypeOid.date, TypeOid.timestamp, TypeOid.timestamptz, TypeOid.uuid,
]);

function pgOidOfDuckDbTypeId(id: DuckDBTypeId): number {
  switch (id) {
    case DuckDBTypeId.BOOLEAN:
      return TypeOid.bool;
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
      return TypeOid.int2;
    case DuckDBTypeId.INTEGER:
      return TypeOid.int4;
    case DuckDBTypeId.BIGINT:
      return TypeOid.int8;
    case DuckDBTypeId.FLOAT:
      return TypeOid.float4;
    case DuckDBTypeId.DOUBLE:
      return TypeOid.float8;
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.HUGEINT:
      return TypeOid.numeric;
    case DuckDBTypeId.DATE:
      return TypeOid.date;
    case DuckDBTypeId.TIME:
      return TypeOid.time;
    case DuckDBTypeId.TIMESTAMP:
      return TypeOid.timestamp;
    case DuckDBTypeId.TIMESTAMP_TZ:
      return TypeOid.timestamptz;
    case DuckDBTypeId.INTERVAL:
      return TypeOid.interval;
    case DuckDBTypeId.UUID:
      return TypeOid.uuid;
    case DuckDBTypeId.BLOB:
      return TypeOid.bytea;
    default:
      // Unresolved (ANY) parameters are `unknown` in PostgreSQL, which clients read as text.
      return TypeOid.text;
  }
}

/** Bind `values` (already decoded per `oids`) to `prepared`, 1-based as DuckDB counts. */
export function bindParams(prepared: DuckDBPreparedStatement, oids: readonly number[], values: readonly unknown[]): void {
  if (values.length !== prepared.parameterCount) {
    throw new PgError(
      SqlState.protocolViolation,
      `bind message supplies ${values.length} parameters, but prepared statement requires ${prepared.parameterCount}`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    const index = i + 1;
    const value = values[i];
    if (value === null || value === undefined) {
      prepared.bindNull(index);
      continue;
    }
    bindOne(prepared, index, oids[i] ?? TypeOid.text, value);
  }
}

function bindOne(prepared: DuckDBPreparedStatement, index: number, oid: number, value: unknown): void {
  switch (oid) {
    case TypeOid.bool:
      return prepared.bindBoolean(index, value as boolean);
    case TypeOid.int2:
    case TypeOid.int4:
      return prepared.bindInteger(index, value as number);
    case TypeOid.int8:
      return prepared.bindBigInt(index, value as bigint);
    case TypeOid.float4:
    case TypeOid.float8:
      return prepared.bindDouble(index, value as number);
    case TypeOid.bytea:
      return prepared.bindBlob(index, value as Uint8Array);
    case TypeOid.date: {
      const days = value as number;
      const date = Number.isFinite(days) ? new DuckDBDateValue(days) : days > 0 ? DuckDBDateValue.PosInf : DuckDBDateValue.NegInf;
      return prepared.bindDate(index, date);
    }
    case TypeOid.time:
      return prepared.bindTime(index, new DuckDBTimeValue(value as bigint));
    case TypeOid.timestamp:
      return prepared.bindTimestamp(index, timestampValue(value as bigint, DuckDBTimestampValue));
    case TypeOid.timestamptz:
      return prepared.bindTimestampTZ(index, timestampValue(value as bigint, DuckDBTimestampTZValue));
    case TypeOid.interval: {
      const i = value as { months: number; days: number; micros: bigint };
      return prepared.bindInterval(index, new DuckDBIntervalValue(i.months, i.days, i.micros));
    }
    default: {
      const element = arrayElementOid(oid);
      if (element !== undefined && LIST_ELEMENTS.has(element) && Array.isArray(value)) {
        const items = flatElements(value).map((v) => (v === null ? null : duckDbValue(element, v)));
        return prepared.bindList(index, items, listTypeOf(prepared, index));
      }
      // numeric, uuid, json, text-like and anything else: DuckDB casts from the text form,
      // which keeps numeric exact.
      return prepared.bindVarchar(index, typeof value === 'string' ? value : String(value));
    }
  }
}

/** The list type DuckDB inferred for a parameter, so even an empty list has an element type. */
function listTypeOf(prepared: DuckDBPreparedStatement, index: number): DuckDBListType | undefined {
  if (prepared.parameterTypeId(index) !== DuckDBTypeId.LIST) return undefined;
  return prepared.parameterType(index) as DuckDBListType;
}

/** Multi-dimensional PostgreSQL arrays have no DuckDB list equivalent here: refuse them. */
function flatElements(value: unknown[]): unknown[] {
  if (value.some((v) => Array.isArray(v))) {
    throw new PgError(SqlState.featureNotSupported, 'multidimensional array parameters are not supported');
  }
  return value;
}

/** One element of a list parameter as the DuckDB value of the element's type. */
function duckDbValue(oid: number, value: unknown): DuckDBValue {
  switch (oid) {
    case TypeOid.date: {
      const days = value as number;
      return Number.isFinite(days) ? new DuckDBDateValue(days) : days > 0 ? DuckDBDateValue.PosInf : DuckDBDateValue.NegInf;
    }
    case TypeOid.timestamp:
      return timestampValue(value as bigint, DuckDBTimestampValue);
    case TypeOid.timestamptz:
      return timestampValue(value as bigint, DuckDBTimestampTZValue);
    case TypeOid.numeric:
    case TypeOid.uuid:
      return String(value);
    default:
      return value as DuckDBValue;
  }
}

function timestampValue<T>(
  micros: bigint,
  Kind: { new (micros: bigint): T; PosInf: T; NegInf: T },
): T {
  if (micros === INT64_MAX) return Kind.PosInf;
  if (micros === INT64_MIN) return Kind.NegInf;
  return new Kind(micros);
}
