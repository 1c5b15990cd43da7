/**
 * Every type of issue 3 with a fast-check arbitrary of its JS representation and the edge
 * values that break codecs (int64 limits, -0, NaN, empty strings, BC dates, leap days …).
 */
import fc from 'fast-check';
import { TypeOid } from '../../src/sql/types/index.js';
import { canonicalJsonb } from '../../src/sql/types/json-text.js';
import {
  END_TIMESTAMP,
  MAX_DATE_DAYS,
  MIN_DATE_DAYS,
  MIN_TIMESTAMP,
  TIMESTAMP_NEG_INFINITY,
  TIMESTAMP_POS_INFINITY,
  daysFromCivil,
} from '../../src/sql/types/date-time.js';

export interface TypeCase {
  /** The SQL name PostgreSQL knows it by. */
  sql: string;
  oid: number;
  arrayOid: number;
  arb: fc.Arbitrary<unknown>;
  edges: unknown[];
  /** The value a decoder gives back for `value` (jsonb prints canonically), when not itself. */
  canonical?: (value: unknown) => unknown;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Strings PostgreSQL can hold: no NUL, no lone surrogates. */
const pgString = (maxLength = 40): fc.Arbitrary<string> =>
  fc
    .oneof(fc.string({ maxLength }), fc.string({ unit: 'binary', maxLength }), fc.string({ unit: 'grapheme', maxLength }))
    .filter((s) => !s.includes('\0') && (s as string & { isWellFormed(): boolean }).isWellFormed());

const numericText = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('NaN', 'Infinity', '-Infinity', '0', '0.00', '-1', '10000', '0.0001', '99999999999999999999.99999') },
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.boolean(), fc.stringMatching(/^(0|[1-9][0-9]{0,30})$/), fc.stringMatching(/^[0-9]{0,24}$/))
      .map(([negative, int, frac]) => {
        const text = frac ? `${int}.${frac}` : int;
        return negative && /[1-9]/.test(text) ? `-${text}` : text;
      }),
  },
);

const dayArb = fc.oneof(
  fc.integer({ min: MIN_DATE_DAYS, max: MAX_DATE_DAYS }),
  fc.integer({ min: -800000, max: 30000 }),
  fc.integer({ min: -25000, max: 25000 }),
);

const timestampArb = fc.oneof(
  fc.bigInt(MIN_TIMESTAMP, END_TIMESTAMP - 1n),
  fc.bigInt(-80000000000000000n, 4000000000000000n),
  fc.bigInt(-2000000000000000n, 2000000000000000n).map((v) => (v / 1000000n) * 1000000n),
);

const timestampEdges = [
  0n,
  -1n,
  1n,
  TIMESTAMP_POS_INFINITY,
  TIMESTAMP_NEG_INFINITY,
  MIN_TIMESTAMP,
  END_TIMESTAMP - 1n,
  BigInt(daysFromCivil(2024, 2, 29)) * 86400000000n + 43200500000n,
  BigInt(daysFromCivil(0, 2, 29)) * 86400000000n,
  BigInt(daysFromCivil(-44, 3, 15)) * 86400000000n + 1n,
  -62135596800000000n,
  -62135596800000001n,
];

const int32 = fc.integer({ min: -2147483648, max: 2147483647 });
const uint32 = fc.integer({ min: 0, max: 4294967295 });
/** Oids no catalog object has, so reg* types print them as numbers. */
const freeOid = fc.integer({ min: 10000000, max: 4294967295 });

const jsonArb = fc.json({ maxDepth: 3 }).filter((s) => !s.includes('\\u0000'));

export const typeCases: TypeCase[] = [
  { sql: 'bool', oid: TypeOid.bool, arrayOid: TypeOid.bool_array, arb: fc.boolean(), edges: [true, false] },
  { sql: 'int2', oid: TypeOid.int2, arrayOid: TypeOid.int2_array, arb: fc.integer({ min: -32768, max: 32767 }), edges: [-32768, 32767, 0, -1] },
  { sql: 'int4', oid: TypeOid.int4, arrayOid: TypeOid.int4_array, arb: int32, edges: [-2147483648, 2147483647, 0] },
  { sql: 'int8', oid: TypeOid.int8, arrayOid: TypeOid.int8_array, arb: fc.bigInt(INT64_MIN, INT64_MAX), edges: [INT64_MIN, INT64_MAX, 0n, -1n] },
  {
    sql: 'float4',
    oid: TypeOid.float4,
    arrayOid: TypeOid.float4_array,
    arb: fc.float(),
    edges: [NaN, Infinity, -Infinity, -0, 0, 0.1, 16777217, -10738650, 10738750, 3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38, 1e6, 999999, 1e-4, 9.999999e-5, ...Array.from({ length: 40 }, (_, i) => 2 ** (i * 7 - 140))].map(Math.fround),
  },
  {
    sql: 'float8',
    oid: TypeOid.float8,
    arrayOid: TypeOid.float8_array,
    arb: fc.double(),
    edges: [NaN, Infinity, -Infinity, -0, 0, 0.1, 1e15, 1e15 - 1, 999999999999999.9, 1e-4, 9.999999999999999e-5, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 2, 1e21, 123456789012345680000],
  },
  { sql: 'numeric', oid: TypeOid.numeric, arrayOid: TypeOid.numeric_array, arb: numericText, edges: ['0', '-0.5', '0.00000001', '1' + '0'.repeat(40), 'NaN', 'Infinity', '-Infinity'] },
  { sql: 'text', oid: TypeOid.text, arrayOid: TypeOid.text_array, arb: pgString(), edges: ['', ' ', 'NULL', 'null', '"', '\\', '{}', 'a,b', 'é', '😀', ' lead', 'trail ', '\t\n', '\u00a0', '\u2028'] },
  { sql: 'varchar', oid: TypeOid.varchar, arrayOid: TypeOid.varchar_array, arb: pgString(), edges: ['', 'x y'] },
  { sql: 'bpchar', oid: TypeOid.bpchar, arrayOid: TypeOid.bpchar_array, arb: pgString(), edges: ['', 'ab  '] },
  {
    sql: 'name',
    oid: TypeOid.name,
    arrayOid: TypeOid.name_array,
    arb: pgString(63).filter((s) => Buffer.byteLength(s) <= 63),
    edges: ['', 'pg_catalog', 'x'.repeat(63)],
  },
  {
    sql: '"char"',
    oid: TypeOid.char,
    arrayOid: TypeOid.char_array,
    arb: fc.integer({ min: 0, max: 255 }).map((c) => (c === 0 ? '' : String.fromCharCode(c))),
    edges: ['', 'a', ' ', '"', '\\', '\u00ff', '\u0080'],
  },
  { sql: 'bytea', oid: TypeOid.bytea, arrayOid: TypeOid.bytea_array, arb: fc.uint8Array({ maxLength: 80 }), edges: [new Uint8Array(0), Uint8Array.of(0, 92, 255, 32, 39)] },
  {
    sql: 'date',
    oid: TypeOid.date,
    arrayOid: TypeOid.date_array,
    arb: dayArb,
    edges: [0, -1, Infinity, -Infinity, MIN_DATE_DAYS, MAX_DATE_DAYS, daysFromCivil(2024, 2, 29), daysFromCivil(2000, 2, 29), daysFromCivil(1900, 3, 1), -719162, -719163, daysFromCivil(-4, 2, 29)],
  },
  { sql: 'time', oid: TypeOid.time, arrayOid: TypeOid.time_array, arb: fc.bigInt(0n, 86400000000n), edges: [0n, 86400000000n, 86399999999n, 1n, 500000n] },
  { sql: 'timestamp', oid: TypeOid.timestamp, arrayOid: TypeOid.timestamp_array, arb: timestampArb, edges: timestampEdges },
  { sql: 'timestamptz', oid: TypeOid.timestamptz, arrayOid: TypeOid.timestamptz_array, arb: timestampArb, edges: timestampEdges },
  {
    sql: 'interval',
    oid: TypeOid.interval,
    arrayOid: TypeOid.interval_array,
    arb: fc.oneof(
      // PostgreSQL cannot read back its own text of µs = int64 min ('-2562047788:00:54.775808').
      fc.record({ months: int32, days: int32, micros: fc.bigInt(INT64_MIN + 1n, INT64_MAX) }),
      fc.record({ months: fc.integer({ min: -30, max: 30 }), days: fc.integer({ min: -40, max: 40 }), micros: fc.bigInt(-100000000000n, 100000000000n) }),
    ),
    edges: [
      { months: 0, days: 0, micros: 0n },
      { months: 0, days: -1, micros: 0n },
      { months: 14, days: 3, micros: 14706500000n },
      { months: -1, days: 1, micros: -1n },
      { months: 1, days: -1, micros: 1n },
      { months: -2147483648, days: -2147483648, micros: INT64_MIN + 1n },
      { months: 2147483647, days: 2147483647, micros: INT64_MAX },
      { months: 12, days: 1, micros: 3600000000n },
    ],
  },
  {
    sql: 'uuid',
    oid: TypeOid.uuid,
    arrayOid: TypeOid.uuid_array,
    arb: fc.uuid(),
    edges: ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
  },
  { sql: 'json', oid: TypeOid.json, arrayOid: TypeOid.json_array, arb: jsonArb, edges: ['{}', '[]', 'null', '"x"', '{"a": 1,  "a":2 }', '1e400', ' [1 , 2] '] },
  {
    sql: 'jsonb',
    oid: TypeOid.jsonb,
    arrayOid: TypeOid.jsonb_array,
    arb: jsonArb,
    edges: ['{}', '[]', 'null', '{"b":1,"a":2,"aa":[1.50,-0,1E2,0.1e-3],"a":3}', '"\\u00e9\\ud83d\\ude00\\n\\u001f/"', '{"":{"":[]}}', '1e-7'],
    canonical: (v) => canonicalJsonb(v as string),
  },
  { sql: 'oid', oid: TypeOid.oid, arrayOid: TypeOid.oid_array, arb: uint32, edges: [0, 4294967295, 2147483648] },
  { sql: 'xid', oid: TypeOid.xid, arrayOid: TypeOid.xid_array, arb: uint32, edges: [0, 4294967295] },
  { sql: 'cid', oid: TypeOid.cid, arrayOid: TypeOid.cid_array, arb: uint32, edges: [0, 4294967295] },
  { sql: 'regproc', oid: TypeOid.regproc, arrayOid: TypeOid.regproc_array, arb: freeOid, edges: [] },
  { sql: 'regclass', oid: TypeOid.regclass, arrayOid: TypeOid.regclass_array, arb: freeOid, edges: [] },
  {
    sql: 'regtype',
    oid: TypeOid.regtype,
    arrayOid: TypeOid.regtype_array,
    arb: fc.oneof(freeOid, fc.constantFrom(...Object.values(TypeOid))),
    edges: [23, 1043, 1184, 1015],
  },
];

export const vectorCases: TypeCase[] = [
  { sql: 'int2vector', oid: TypeOid.int2vector, arrayOid: TypeOid.int2vector_array, arb: fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 8 }), edges: [[], [1, 2, 3]] },
  { sql: 'oidvector', oid: TypeOid.oidvector, arrayOid: TypeOid.oidvector_array, arb: fc.array(uint32, { maxLength: 8 }), edges: [[], [23, 4294967295]] },
];

/** One- to three-dimensional rectangular arrays with NULLs, of `element`. */
export function arrayArb(element: fc.Arbitrary<unknown>): fc.Arbitrary<unknown[]> {
  const item = fc.option(element, { nil: null, freq: 6 });
  return fc.oneof(
    fc.array(item, { maxLength: 6 }),
    fc
      .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
      .chain(([a, b]) => fc.array(fc.array(item, { minLength: b, maxLength: b }), { minLength: a, maxLength: a })),
    fc
      .tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }))
      .chain(([a, b, c]) =>
        fc.array(fc.array(fc.array(item, { minLength: c, maxLength: c }), { minLength: b, maxLength: b }), { minLength: a, maxLength: a }),
      ),
  );
}

/** Values made comparable with toEqual: bytes as hex, -0 kept apart from 0. */
export function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  if (typeof value === 'bigint') return `${value}n`;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]));
  }
  return value;
}
