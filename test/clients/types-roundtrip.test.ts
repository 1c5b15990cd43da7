/**
 * Every listed type through node-postgres and postgres.js, as parameter and as result, in
 * text and binary, checked byte for byte against what the real PostgreSQL at
 * 127.0.0.1:5432 answers to the same statement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import postgres from 'postgres';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';
import { RawClient } from '../support/raw-client.js';
import { builtinTypeByName } from '../../src/sql/builtin-types.js';

/** [SQL type, sample values in PostgreSQL's text form]. */
const SAMPLES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['bool', ['t', 'f']],
  ['int2', ['0', '-32768', '32767']],
  ['int4', ['-2147483648', '42', '2147483647']],
  ['int8', ['-9223372036854775808', '0', '9223372036854775807']],
  ['float4', ['1.5', '-0', 'Infinity', 'NaN', '3.4028235e+38']],
  ['float8', ['0.1', '-1e-300', 'Infinity', '-Infinity', 'NaN', '1.7976931348623157e+308']],
  ['numeric(20,4)', ['12345.6789', '-0.0001', '0.0000']],
  ['text', ['hello', '', 'ünïcødé ☃ 🎉', "quote ' and \\ backslash"]],
  ['varchar(10)', ['abc']],
  ['bytea', ['\\x00ff10', '\\x']],
  ['date', ['2024-02-29', '1970-01-01', '1900-01-01', 'infinity', '-infinity']],
  ['time', ['00:00:00', '23:59:59.999999', '12:34:56.5']],
  ['timestamp', ['2024-02-29 12:34:56.123456', '1969-12-31 23:59:59', '2000-01-01 00:00:00', 'infinity']],
  ['timestamptz', ['2024-02-29 12:34:56.123456+00', '2024-06-01 10:00:00+02', '1960-01-01 00:00:00+00']],
  ['interval', ['1 year 2 mons 3 days 04:05:06.5', '-1 days', '00:00:00', '-00:00:01']],
  ['uuid', ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']],
  ['json', ['{"a": [1, 2, {"b": null}]}']],
  ['int4[]', ['{1,2,NULL}', '{}']],
  ['int8[]', ['{-9223372036854775808,9223372036854775807}']],
  ['text[]', ['{a,"b c",NULL,"\\"q\\""}']],
  ['float8[]', ['{1.5,-0.25}']],
  ['bool[]', ['{t,f}']],
];

let gw: TestGateway;
let trustGw: TestGateway;
let gateway: pg.Client;
let reference: pg.Client;
/** node-postgres decodes binary DataRows as UTF-8 text, so exact bytes come over a raw socket. */
let raw: RawClient;

/** Results as the server's text, no client-side parsing. */
const unparsed = { getTypeParser: () => (value: unknown) => value } as unknown as pg.CustomTypesConfig;

/** PostgreSQL's own binary form of a value: its type's send function, as bytea. */
async function referenceBinary(type: string, value: string): Promise<Buffer> {
  const base = type.replace(/\(.*\)/, '');
  const send = base.endsWith('[]') ? 'array_send' : builtinTypeByName(base)!.send;
  const r = await reference.query({ text: `SELECT encode(${send}($1::${type}), 'hex')`, values: [value], rowMode: 'array' });
  return Buffer.from(r.rows[0][0] as string, 'hex');
}

beforeAll(async () => {
  gw = await startTestGateway();
  trustGw = await startTestGateway({ auth: 'trust' });
  gateway = new pg.Client({ host: gw.host, port: gw.port, database: gw.database, user: gw.user, password: gw.password, types: unparsed });
  reference = new pg.Client({ host: '127.0.0.1', port: 5432, database: 'postgres', user: 'postgres', types: unparsed });
  await Promise.all([gateway.connect(), reference.connect()]);
  raw = await RawClient.startup(trustGw.port);
  await reference.query("SET TimeZone = 'UTC'");
});

afterAll(async () => {
  raw?.end();
  await Promise.allSettled([gateway?.end(), reference?.end()]);
  await gw?.stop();
  await trustGw?.stop();
});

async function both(config: pg.QueryArrayConfig): Promise<[unknown, unknown, number, number]> {
  const [ours, theirs] = await Promise.all([gateway.query(config), reference.query(config)]);
  return [ours.rows[0]?.[0], theirs.rows[0]?.[0], ours.fields[0]!.dataTypeID, theirs.fields[0]!.dataTypeID];
}

describe.each(SAMPLES)('%s', (type, values) => {
  it.each(values)('text parameter and text result: %s', async (value) => {
    const [ours, theirs, oid, refOid] = await both({ text: `SELECT $1::${type} AS v`, values: [value], rowMode: 'array' });
    expect(oid).toBe(refOid);
    expect(ours).toEqual(theirs);
  });

  it.each(values)('text parameter and binary result: %s', async (value) => {
    const expected = await referenceBinary(type, value);
    const rows = await raw.extended(`SELECT $1::${type} AS v`, [Buffer.from(value)], 0, 1);
    expect(rows[0]![0]!.toString('hex')).toBe(expected.toString('hex'));
  });

  it.each(values)('binary parameter (from PostgreSQL) and binary result: %s', async (value) => {
    const encoded = await referenceBinary(type, value);
    const rows = await raw.extended(`SELECT $1::${type} AS v`, [encoded], 1, 1);
    expect(rows[0]![0]!.toString('hex')).toBe(encoded.toString('hex'));
  });
});

describe('NULL', () => {
  it('round-trips as parameter and result in both formats', async () => {
    for (const binary of [false, true]) {
      const r = await gateway.query({ text: 'SELECT $1::int4 AS v, NULL::text AS w', values: [null], rowMode: 'array', binary } as pg.QueryArrayConfig);
      expect(r.rows).toEqual([[null, null]]);
    }
  });
});

describe('prepared statements', () => {
  it('reuses a named prepared statement 100 times', async () => {
    for (let i = 0; i < 100; i++) {
      const r = await gateway.query({ name: 'by-id', text: 'SELECT $1::int4 + 1 AS n', values: [String(i)], rowMode: 'array' });
      expect(r.rows).toEqual([[String(i + 1)]]);
    }
  });
});

describe('postgres.js', () => {
  it('round-trips typed parameters and results, and reuses prepared statements', async () => {
    const sql = postgres({ host: gw.host, port: gw.port, database: gw.database, username: gw.user, password: gw.password, max: 1, onnotice: () => {} });
    try {
      const [row] = await sql`SELECT ${42}::int4 AS i, ${'9007199254740993'}::int8 AS big, ${'héllo'}::text AS t, ${true}::bool AS b,
        ${new Date('2024-02-29T12:34:56.789Z')}::timestamptz AS ts, ${1.5}::float8 AS f, ${'2024-02-29'}::date AS d, ${[1, 2, 3]}::int4[] AS a`;
      expect(row).toEqual({
        i: 42,
        big: '9007199254740993',
        t: 'héllo',
        b: true,
        ts: new Date('2024-02-29T12:34:56.789Z'),
        f: 1.5,
        d: new Date('2024-02-29T00:00:00.000Z'),
        a: [1, 2, 3],
      });
      for (let i = 0; i < 100; i++) {
        const [r] = await sql`SELECT ${i}::int4 * 2 AS n`;
        expect(r!.n).toBe(i * 2);
      }
      const rows = await sql`SELECT party, count(*)::int AS n FROM patients GROUP BY party ORDER BY party`;
      expect(rows.map((r) => r.party)).toEqual(['bmc', 'bwh', 'mgh']);
    } finally {
      await sql.end();
    }
  });
});
