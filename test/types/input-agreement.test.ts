/**
 * Text the way clients write it, read by our decoders and by PostgreSQL: the same value
 * (compared through PostgreSQL's binary output) or the same error (SQLSTATE and message).
 * Also pg_type rows and format_type against PostgreSQL's catalog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodecContext } from '../../src/server/engine.js';
import { PgError } from '../../src/server/pg-error.js';
import { binaryEncoder, defaultCodecContext, formatType, pgTypes, textDecoder, TypeOid } from '../../src/sql/types/index.js';
import { PgOracle } from './pg-oracle.js';

let pg: PgOracle;

beforeAll(async () => {
  pg = await PgOracle.open();
});

afterAll(() => {
  pg?.close();
});

const inputs: Record<string, string[]> = {
  bool: ['t', 'true', 'TRUE', ' yes ', 'on', '1', 'f', 'fa', 'no', 'off', 'of', '0', 'o', '', ' ', 'tru e', 'y', 'x'],
  int2: ['0', ' 12 ', '-32768', '32767', '32768', '+5', 'abc', '', '1.5', '1e3', '\t7\n'],
  int4: ['2147483647', '-2147483648', '2147483648', ' -0 ', '00012', '1 2', '-'],
  int8: ['9223372036854775807', '-9223372036854775808', '9223372036854775808', ' 42', '0x10'],
  float4: ['1.5', ' -0 ', 'NaN', 'nan', 'Infinity', '-inf', '1e40', '1e-50', '3.4028235e38', '1.17549435e-38', '1e-45', 'abc', '.5', '5.', '1e', '1.401298464324817e-45'],
  float8: ['0.1', '1e308', '1e309', '1e-400', '4.9e-324', '-Infinity', '+inf', '1E5', '  2.5  ', '1..2', ''],
  numeric: ['1.50', '-0', '-0.00', '1e3', '1.5e-3', '1.50e1', ' 12 ', 'NaN', 'infinity', '-Inf', '.5', '5.', '0001.100', 'x', '1e', '1e2000000', '+7'],
  text: ['', 'abc', 'é😀'],
  bytea: ['\\x', '\\x00ff', '\\xDEAD beef', '\\x123', '\\xzz', 'abc', 'a\\\\b', '\\001\\377', '\\q', 'é'],
  date: ['2024-01-02', ' 2024-1-2 ', '2024-02-29', '2023-02-29', '2024-13-01', '0001-01-01', '0044-03-15 BC', '0000-01-01', 'infinity', '-infinity', 'epoch', '2024-01-02 12:34:56+02', '2024-01-02T10:00', '99999-12-31', '6000000-01-01', 'abc', '4714-11-24 BC', '4714-11-23 BC'],
  time: ['12:34', '12:34:56', '12:34:56.789', '23:59:59.9999999', '24:00:00', '24:00:01', '25:00', '12:60', '12:34:56+02', 'allballs', '2024-01-01 10:20:30', 'x', '23:59:60'],
  timestamp: ['2024-01-02 03:04:05', '2024-01-02T03:04:05.123456', '2024-01-02 03:04:05.1234567', '2024-01-02 03:04:05+02', '2024-01-02', 'infinity', '-infinity', 'epoch', '0044-03-15 12:00 BC', '2024-01-02 24:00:00', '2024-01-02 23:59:60', '294276-12-31 23:59:59.999999', '294277-01-01 00:00:00', '4714-11-24 00:00:00 BC', '2024-02-30 00:00'],
  timestamptz: ['2024-01-02 03:04:05+00', '2024-01-02T03:04:05Z', '2024-01-02 03:04:05.5+05:30', '2024-01-02 03:04:05-0800', '2024-01-02 03:04:05 UTC', '2024-01-02 03:04:05 PST', '2024-01-02 03:04:05 EST', '2024-01-02 03:04:05 America/New_York', '2024-07-02 03:04:05 Europe/Paris', '2024-01-02 03:04:05', '2024-01-02 03:04:05+15:00', '2024-01-02 03:04:05+16:00', '2024-01-02 03:04 Mars/Olympus', '0044-03-15 12:00:00+00 BC', 'infinity'],
  interval: ['1 day', '1 day 02:00:00', '3 hours', '-1 days +02:03:04', '1 day -02:00', '@ 1 day ago', '1 day 2 hours ago', 'P1Y2M3DT4H5M6.5S', 'P1.5Y', 'PT1.5H', 'P0001-02-03T04:05:06', '1-2', '3 4:05:06', '10', '1.5', '2 h 3 m', '1h30m', '01:02', '-01:02:03.5', '1.5 months', '1.5 years', '1.5 weeks', '2147483648 days', '100000000000 hours', 'x', '1 fortnight', '1 century 2 decades', '0.000001 sec', 'P-1Y', '9223372036854 sec'],
  uuid: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', 'a0eebc999c0b4ef8bb6d6bb9bd380a11', 'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11', '{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}', ' a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', 'abc', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-'],
  json: ['{"a":1}', ' [1, 2 ,3] ', '"\\u0000"', '{"a":', 'nul', '1.', '01', '-', '{"a" 1}', 'true', '[1,]'],
  jsonb: ['{"b":1, "a":2, "b":3}', '{"aa":1,"b":2,"a":3}', '[1.50, 1e2, -0, 0.1e-3]', '"\\u00e9\\ud83d\\ude00"', '"\\u0000"', '"\\ud800"', '"a\\/b\\u001f"', '{"a":', '  null  '],
  'int4[]': ['{1,2,3}', '{}', '{{1,2},{3,4}}', ' { 1 , NULL , 3 } ', '{"1",2}', '{1,{2}}', '{{1},{1,2}}', '{1,2}}', '{a', '[1:2]={1}', '{{},{}}', '{null}', '1,2', '{1,,2}', '[1:2][1:1]={{1},{2}}', '[1:2]={1,2}'],
  'text[]': ['{a,"b c",NULL,"NULL","\\"q\\""}', '{ a b , c }', '{"a" , b}', '{a\\,b}', '{"a"b}', '{a"b"}', '{"",x}', '{\\ a\\ }', '{{a},{b}}'],
  'float8[]': ['{1.5,NaN,-Infinity}', '{1e400}'],
  'date[]': ['{2024-01-01,infinity,NULL}'],
  'bool[]': ['{t,f,yes}'],
};

const typeOids: Record<string, number> = {
  bool: TypeOid.bool, int2: TypeOid.int2, int4: TypeOid.int4, int8: TypeOid.int8, float4: TypeOid.float4, float8: TypeOid.float8,
  numeric: TypeOid.numeric, text: TypeOid.text, bytea: TypeOid.bytea, date: TypeOid.date, time: TypeOid.time, timestamp: TypeOid.timestamp,
  timestamptz: TypeOid.timestamptz, interval: TypeOid.interval, uuid: TypeOid.uuid, json: TypeOid.json, jsonb: TypeOid.jsonb,
  'int4[]': TypeOid.int4_array, 'text[]': TypeOid.text_array, 'float8[]': TypeOid.float8_array, 'date[]': TypeOid.date_array, 'bool[]': TypeOid.bool_array,
};

type Outcome = { bytes: string } | { code: string; message: string };

function ours(oid: number, text: string, ctx: CodecContext): Outcome {
  try {
    const value = textDecoder(oid)(text, ctx);
    return { bytes: Buffer.from(binaryEncoder(oid)(value, ctx)).toString('hex') };
  } catch (error) {
    if (!(error instanceof PgError)) throw error;
    return { code: error.code, message: error.message };
  }
}

describe('text input as PostgreSQL reads it', () => {
  for (const zone of ['UTC', 'America/New_York']) {
    it(`every listed input gives PostgreSQL's value or error (TimeZone ${zone})`, async () => {
      await pg.exec(`SET TimeZone = '${zone}'`);
      const ctx = { ...defaultCodecContext, timeZone: zone };
      const cases = Object.entries(inputs).flatMap(([type, texts]) => texts.map((text) => ({ type, text, oid: typeOids[type]! })));
      const results = await pg.run(
        cases.map((c) => ({ sql: 'select $1', params: [{ type: c.oid, format: 0 as const, value: Buffer.from(c.text) }], resultFormat: 1 as const })),
      );
      const mismatches: string[] = [];
      cases.forEach((c, i) => {
        const r = results[i]!;
        const theirs: Outcome = 'error' in r ? { code: r.error.code, message: r.error.message } : { bytes: r.rows[0]![0]!.toString('hex') };
        const mine = ours(c.oid, c.text, ctx);
        if (JSON.stringify(mine) !== JSON.stringify(theirs)) mismatches.push(`${c.type} ${JSON.stringify(c.text)}: ours ${JSON.stringify(mine)}, PostgreSQL ${JSON.stringify(theirs)}`);
      });
      expect(mismatches).toEqual([]);
      await pg.exec('RESET TimeZone');
    });
  }
});

describe('pg_type and format_type', () => {
  it('pgTypes rows equal PostgreSQL 15 pg_type rows', async () => {
    const columns = [
      'oid::int', 'typname::text', 'typnamespace::int', 'typowner::int', 'typlen', 'typbyval', 'typtype', 'typcategory', 'typispreferred',
      'typisdefined', 'typdelim', 'typrelid::int', 'typsubscript::text', 'typelem::int', 'typarray::int', 'typinput::text', 'typoutput::text',
      'typreceive::text', 'typsend::text', 'typmodin::text', 'typmodout::text', 'typanalyze::text', 'typalign', 'typstorage', 'typnotnull',
      'typbasetype::int', 'typtypmod', 'typndims', 'typcollation::int',
    ];
    const sql = `select json_agg(json_build_object(${columns.map((c) => `'${c.replace(/::.*/, '')}', ${c}`).join(', ')})) from pg_type where oid = any($1::oid[])`;
    const oids = Buffer.from(`{${pgTypes.map((t) => t.oid).join(',')}}`);
    const [row] = await pg.rows(sql, [{ type: TypeOid.text, format: 0, value: oids }], 0);
    const rows = JSON.parse(row![0]!.toString('utf8')) as Array<Record<string, unknown>>;
    expect(rows.length).toBe(pgTypes.length);
    const byOid = new Map(rows.map((r) => [r.oid as number, r]));
    for (const t of pgTypes) expect({ ...t }, t.typname).toEqual(byOid.get(t.oid));
  });

  it('formatType equals format_type for types and typmods', async () => {
    const pairs: Array<[number, number]> = [];
    for (const t of pgTypes) pairs.push([t.oid, -1]);
    for (const oid of [TypeOid.varchar, TypeOid.bpchar, TypeOid.varchar_array]) pairs.push([oid, 14], [oid, 5]);
    for (const oid of [TypeOid.numeric, TypeOid.numeric_array]) pairs.push([oid, (10 << 16) + 2 + 4], [oid, (5 << 16) + 4], [oid, (38 << 16) + 10 + 4]);
    for (const oid of [TypeOid.timestamp, TypeOid.timestamptz, TypeOid.time, TypeOid.timestamptz_array]) pairs.push([oid, 3], [oid, 0], [oid, 6]);
    for (const mod of [(0x7fff << 16) | 0xffff, (0x7fff << 16) | 3, (4 << 16) | 0xffff, (6 << 16) | 0xffff, (0x1c08 << 16) | 0xffff, (0x1c08 << 16) | 2, (0x400 << 16) | 0xffff]) pairs.push([TypeOid.interval, mod]);
    const list = Buffer.from(`{${pairs.map(([o, m]) => `"(${o},${m})"`).join(',')}}`);
    const q = `select format_type(split_part(trim(both '()' from p), ',', 1)::oid, split_part(trim(both '()' from p), ',', 2)::int) from unnest($1::text[]) with ordinality u(p, n) order by n`;
    const rows = await pg.rows(q, [{ type: TypeOid.text_array, format: 0, value: list }], 0);
    const mismatches = pairs.flatMap(([oid, mod], i) => {
      const theirs = rows[i]![0]!.toString('utf8');
      const mine = formatType(oid, mod);
      return mine === theirs ? [] : [`${oid}/${mod}: ours ${mine}, PostgreSQL ${theirs}`];
    });
    expect(mismatches).toEqual([]);
  });
});
