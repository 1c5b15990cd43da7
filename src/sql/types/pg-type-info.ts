/**
 * pg_type rows with PostgreSQL's column names, derived from the one table of built-in
 * types (src/sql/builtin-types.ts, generated from PostgreSQL's catalog), plus what the
 * wire needs from them: typlen for RowDescription, element and array types, format_type.
 */
import { builtinTypeByOid, builtinTypes, type BuiltinType } from '../builtin-types.js';
import { TypeOid } from './type-oid.js';

/** One pg_type row (the columns a client or psql reads). */
export interface PgTypeInfo {
  readonly oid: number;
  readonly typname: string;
  /** pg_catalog. */
  readonly typnamespace: number;
  readonly typowner: number;
  /** Bytes, -1 for varlena, -2 for a C string. */
  readonly typlen: number;
  readonly typbyval: boolean;
  /** b base, p pseudo, r range, m multirange. */
  readonly typtype: string;
  readonly typcategory: string;
  readonly typispreferred: boolean;
  readonly typisdefined: boolean;
  readonly typdelim: string;
  readonly typrelid: number;
  readonly typsubscript: string;
  /** Element type of an array type, else 0. */
  readonly typelem: number;
  /** The array type of this type, else 0. */
  readonly typarray: number;
  readonly typinput: string;
  readonly typoutput: string;
  readonly typreceive: string;
  readonly typsend: string;
  readonly typmodin: string;
  readonly typmodout: string;
  readonly typanalyze: string;
  readonly typalign: string;
  readonly typstorage: string;
  readonly typnotnull: boolean;
  readonly typbasetype: number;
  readonly typtypmod: number;
  readonly typndims: number;
  /** 100 (default) for collatable types, 950 ("C") for name, else 0. */
  readonly typcollation: number;
}

/** Types whose typmod has its own input/output functions (typname + 'typmodin'). */
const TYPMOD_TYPES = new Set(['bit', 'bpchar', 'interval', 'numeric', 'timestamp', 'timestamptz', 'time', 'timetz', 'varbit', 'varchar']);

/** Arrays proper (array_in), including record[] whose category is P; not the vectors. */
function isTrueArray(t: BuiltinType): boolean {
  return t.input === 'array_in';
}

function subscriptHandler(t: BuiltinType): string {
  if (isTrueArray(t) || t.oid === TypeOid.int2vector || t.oid === TypeOid.oidvector) return 'array_subscript_handler';
  if (t.oid === TypeOid.jsonb) return 'jsonb_subscript_handler';
  // Fixed-length types that can be subscripted as arrays of their elements (name, point).
  if (t.elem !== 0 && t.len > 0) return 'raw_array_subscript_handler';
  return '-';
}

function toPgTypeInfo(t: BuiltinType): PgTypeInfo {
  const typmodOwner = isTrueArray(t) ? builtinTypeByOid(t.elem)?.name : t.name;
  const typmod = typmodOwner !== undefined && TYPMOD_TYPES.has(typmodOwner) ? typmodOwner : null;
  return Object.freeze({
    oid: t.oid,
    typname: t.name,
    typnamespace: 11,
    typowner: 10,
    typlen: t.len,
    typbyval: t.byVal,
    typtype: t.kind,
    typcategory: t.category,
    typispreferred: t.preferred,
    typisdefined: true,
    typdelim: t.delim,
    typrelid: 0,
    typsubscript: subscriptHandler(t),
    typelem: t.elem,
    typarray: t.array,
    typinput: t.input,
    typoutput: t.output,
    typreceive: t.receive,
    typsend: t.send,
    typmodin: typmod ? `${typmod}typmodin` : '-',
    typmodout: typmod ? `${typmod}typmodout` : '-',
    typanalyze: isTrueArray(t) ? 'array_typanalyze' : t.kind === 'r' ? 'range_typanalyze' : '-',
    typalign: t.align,
    typstorage: t.storage,
    typnotnull: false,
    typbasetype: 0,
    typtypmod: -1,
    typndims: 0,
    typcollation: t.collation,
  });
}

/** pg_type rows for every built-in type C2D knows (those of issue 3 and more). */
export const pgTypes: readonly PgTypeInfo[] = Object.freeze(builtinTypes.map(toPgTypeInfo));

const byOid = new Map(pgTypes.map((t) => [t.oid, t]));

export function typeInfo(oid: number): PgTypeInfo | undefined {
  return byOid.get(oid);
}

/** typlen for RowDescription: bytes for fixed-size types, -1 for variable length. */
export function typeSize(oid: number): number {
  return byOid.get(oid)?.typlen ?? -1;
}

/** The element type of a true array type (not int2vector/oidvector), else undefined. */
export function arrayElementOid(oid: number): number | undefined {
  const info = byOid.get(oid);
  return info !== undefined && info.typinput === 'array_in' && info.typelem !== 0 ? info.typelem : undefined;
}

/** The array type of an element type (pg_type.typarray), undefined when it has none. */
export function arrayTypeOid(elementOid: number): number | undefined {
  const array = byOid.get(elementOid)?.typarray;
  return array ? array : undefined;
}

/** Precision/scale of timestamp, time and interval typmods: -1 or 0..6. */
function precision(typmod: number): string {
  return `(${typmod})`;
}

const INTERVAL_FIELDS: Readonly<Record<number, string>> = {
  [1 << 2]: ' year',
  [1 << 1]: ' month',
  [1 << 3]: ' day',
  [1 << 10]: ' hour',
  [1 << 11]: ' minute',
  [1 << 12]: ' second',
  [(1 << 2) | (1 << 1)]: ' year to month',
  [(1 << 3) | (1 << 10)]: ' day to hour',
  [(1 << 3) | (1 << 10) | (1 << 11)]: ' day to minute',
  [(1 << 3) | (1 << 10) | (1 << 11) | (1 << 12)]: ' day to second',
  [(1 << 10) | (1 << 11)]: ' hour to minute',
  [(1 << 10) | (1 << 11) | (1 << 12)]: ' hour to second',
  [(1 << 11) | (1 << 12)]: ' minute to second',
};

/**
 * PostgreSQL's format_type(oid, typmod): integer, character varying(10), numeric(10,2),
 * integer[] … A null typmod is SQL NULL, which differs from -1 for two types: bpchar
 * ('character' vs 'bpchar') and bit ('bit' vs '"bit"').
 */
export function formatType(oid: number, typmod: number | null = null): string {
  const info = byOid.get(oid);
  const builtin = builtinTypeByOid(oid);
  if (!info || !builtin) return '???';
  if (arrayElementOid(oid) !== undefined) {
    const element = byOid.get(info.typelem);
    // Arrays of arrays cannot exist; an array of a type with typmod shows the element's.
    return element ? `${formatType(element.oid, typmod)}[]` : '???';
  }
  if (typmod === null) return builtin.display;
  if (typmod < 0) return oid === TypeOid.bpchar ? 'bpchar' : oid === 1560 ? '"bit"' : builtin.display;
  switch (oid) {
    case TypeOid.numeric: {
      const t = typmod - 4;
      if (t < 0) return builtin.display;
      const scale = ((t & 0x7ff) ^ 1024) - 1024;
      return `numeric(${(t >> 16) & 0xffff},${scale})`;
    }
    case TypeOid.varchar:
      return typmod >= 4 ? `character varying(${typmod - 4})` : builtin.display;
    case TypeOid.bpchar:
      return typmod >= 4 ? `character(${typmod - 4})` : builtin.display;
    case 1560: // bit
      return `bit(${typmod})`;
    case 1562: // varbit
      return `bit varying(${typmod})`;
    case TypeOid.timestamp:
      return `timestamp${precision(typmod)} without time zone`;
    case TypeOid.timestamptz:
      return `timestamp${precision(typmod)} with time zone`;
    case TypeOid.time:
      return `time${precision(typmod)} without time zone`;
    case 1266: // timetz
      return `time${precision(typmod)} with time zone`;
    case TypeOid.interval: {
      const fields = INTERVAL_FIELDS[(typmod >> 16) & 0x7fff] ?? '';
      const p = typmod & 0xffff;
      return `interval${fields}${p === 0xffff ? '' : `(${p})`}`;
    }
    default:
      return builtin.display;
  }
}
