/**
 * Appends rows (values in their PostgreSQL representation) to a DuckDB table through an
 * appender: native appends for the common types, the PostgreSQL text form (which DuckDB
 * casts exactly) for the rest.
 */
import { DuckDBDateValue, DuckDBTimestampTZValue, DuckDBTimestampValue, type DuckDBAppender } from '@duckdb/node-api';
import { TypeOid, defaultCodecContext, textEncoder } from '../sql/types/index.js';

export type ValueAppender = (appender: DuckDBAppender, value: unknown) => void;

export function valueAppender(oid: number): ValueAppender {
  switch (oid) {
    case TypeOid.bool:
      return (a, v) => a.appendBoolean(v as boolean);
    case TypeOid.int2:
    case TypeOid.int4:
      return (a, v) => a.appendInteger(v as number);
    case TypeOid.int8:
      return (a, v) => a.appendBigInt(BigInt(v as bigint));
    case TypeOid.float4:
    case TypeOid.float8:
      return (a, v) => a.appendDouble(v as number);
    case TypeOid.text:
    case TypeOid.varchar:
    case TypeOid.bpchar:
    case TypeOid.name:
      return (a, v) => a.appendVarchar(v as string);
    case TypeOid.bytea:
      return (a, v) => a.appendBlob(v as Uint8Array);
    case TypeOid.date:
      return (a, v) => {
        const days = v as number;
        a.appendDate(Number.isFinite(days) ? new DuckDBDateValue(days) : days > 0 ? DuckDBDateValue.PosInf : DuckDBDateValue.NegInf);
      };
    case TypeOid.timestamp:
      return (a, v) => a.appendTimestamp(new DuckDBTimestampValue(v as bigint));
    case TypeOid.timestamptz:
      return (a, v) => a.appendTimestampTZ(new DuckDBTimestampTZValue(v as bigint));
    default: {
      const encode = textEncoder(oid);
      return (a, v) => a.appendVarchar(encode(v, defaultCodecContext));
    }
  }
}

/** DuckDB's name for the type a PostgreSQL column becomes in the gateway's work tables. */
export function duckDbTypeName(oid: number, typmod: number): string {
  switch (oid) {
    case TypeOid.bool:
      return 'BOOLEAN';
    case TypeOid.int2:
      return 'SMALLINT';
    case TypeOid.int4:
      return 'INTEGER';
    case TypeOid.int8:
      return 'BIGINT';
    case TypeOid.float4:
      return 'FLOAT';
    case TypeOid.float8:
      return 'DOUBLE';
    case TypeOid.numeric: {
      if (typmod < 4) return 'DECIMAL(38,10)';
      const t = typmod - 4;
      return `DECIMAL(${(t >> 16) & 0xffff},${t & 0xffff})`;
    }
    case TypeOid.date:
      return 'DATE';
    case TypeOid.time:
      return 'TIME';
    case TypeOid.timestamp:
      return 'TIMESTAMP';
    case TypeOid.timestamptz:
      return 'TIMESTAMPTZ';
    case TypeOid.interval:
      return 'INTERVAL';
    case TypeOid.uuid:
      return 'UUID';
    case TypeOid.bytea:
      return 'BLOB';
    case TypeOid.json:
    case TypeOid.jsonb:
      return 'JSON';
    default:
      return 'VARCHAR';
  }
}
