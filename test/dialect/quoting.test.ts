/**
 * No identifier or literal changes a statement's structure: property tests with hostile
 * text (quotes, backslashes, unicode, keywords, comments, semicolons) checked against
 * PostgreSQL's own parser, the real PostgreSQL and a real DuckDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pg from 'pg';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { loadModule, parseSync } from 'libpg-query';
import { DuckDbDialect, PostgresDialect, SparkDialect } from '../../dialect/index.js';

const tricky = fc.constantFrom("'", "''", '"', '`', '\\', "\\'", '--', ';', '/*', '*/', 'select', 'DROP TABLE x;', '\n', '\r\n', '$1', '$$', 'é', '😀', ' ', 'E', 'U&');
const hostile = fc
  .array(fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 8 })
  .map((parts) => parts.join(''))
  .filter((s) => !s.includes('\0'));
/** PostgreSQL identifiers: 1..63 bytes. */
const identifier = hostile.filter((s) => s.length > 0 && Buffer.byteLength(s) <= 63);

const postgres = new PostgresDialect();
const duckdb = new DuckDbDialect();
const spark = new SparkDialect();

beforeAll(async () => {
  await loadModule();
});

describe('PostgreSQL dialect', () => {
  it('keeps the statement shape under PostgreSQL’s grammar', () => {
    fc.assert(
      fc.property(identifier, identifier, hostile, (schema, name, value) => {
        const sql = `SELECT ${postgres.quoteString(value)} AS ${postgres.quoteIdentifier(name)} FROM ${postgres.quoteQualified([schema, name])}`;
        const stmts = parseSync(sql).stmts as Array<{ stmt: any }>;
        expect(stmts).toHaveLength(1);
        const select = stmts[0]!.stmt.SelectStmt;
        expect(select.targetList).toHaveLength(1);
        expect(select.targetList[0].ResTarget.name).toBe(name);
        expect(select.targetList[0].ResTarget.val.A_Const.sval?.sval ?? '').toBe(value);
        expect(select.fromClause[0].RangeVar).toMatchObject({ schemaname: schema, relname: name });
      }),
      { numRuns: 2000 },
    );
  });

  describe('on the real PostgreSQL', () => {
    let client: pg.Client;
    beforeAll(async () => {
      client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
      await client.connect();
    });
    afterAll(async () => client?.end());

    it('returns exactly the literal under exactly the alias', async () => {
      await fc.assert(
        fc.asyncProperty(identifier, hostile, async (name, value) => {
          const r = await client.query({ text: `SELECT ${postgres.quoteString(value)} AS ${postgres.quoteIdentifier(name)}`, rowMode: 'array' });
          expect(r.fields.map((f) => f.name)).toEqual([name]);
          expect(r.rows).toEqual([[value]]);
        }),
        { numRuns: 150 },
      );
    });
  });
});

describe('DuckDB dialect', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  afterAll(() => instance?.closeSync());

  it('returns exactly the literal under exactly the alias', async () => {
    await fc.assert(
      fc.asyncProperty(identifier, hostile, async (name, value) => {
        const reader = await connection.runAndReadAll(`SELECT ${duckdb.quoteString(value)} AS ${duckdb.quoteIdentifier(name)}`);
        expect(reader.columnNames()).toEqual([name]);
        expect(reader.getRowsJS()).toEqual([[value]]);
      }),
      { numRuns: 300 },
    );
  });

  it('types number literals exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.double(), fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), async (n) => {
        const reader = await connection.runAndReadAll(`SELECT ${duckdb.literal(n)} AS v`);
        const got = reader.getRowsJS()[0]![0];
        if (typeof n === 'bigint') expect(BigInt(got as number | bigint)).toBe(n);
        else if (Number.isNaN(n)) expect(Number.isNaN(got)).toBe(true);
        else expect(Number(got)).toBe(n === 0 ? 0 : n);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Spark dialect', () => {
  it('escapes backslashes and quotes the way Spark’s lexer reads them', () => {
    expect(spark.quoteIdentifier('a`b')).toBe('`a``b`');
    expect(spark.quoteString("it's \\ fine")).toBe("'it\\'s \\\\ fine'");
  });

  it('refuses NUL in identifiers and literals (no engine stores it faithfully)', () => {
    for (const d of [postgres, duckdb, spark]) {
      expect(() => d.quoteString('a\0b')).toThrow(/0x00/);
      expect(() => d.quoteIdentifier('a\0b')).toThrow(/0x00/);
    }
  });
});
