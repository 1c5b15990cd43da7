import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgErrorFromDuckDb } from '../../connectors/duckdb/duckdb-errors.js';

// DuckDB's own error texts (from the engine, not written here) mapped to the SQLSTATE and
// wording PostgreSQL gives for the same mistake; a DuckDB upgrade that rewords one fails here.
let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await connection.run('CREATE TABLE t (a INTEGER, b VARCHAR)');
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

async function errorOf(sql: string): Promise<{ code: string; message: string }> {
  try {
    await connection.run(sql);
  } catch (error) {
    const mapped = pgErrorFromDuckDb(error);
    return { code: mapped.code, message: mapped.message };
  }
  throw new Error(`${sql} did not fail`);
}

describe('DuckDB errors as PostgreSQL reports them', () => {
  it.each([
    ['SELECT d.code FROM t d', '42703', 'column d.code does not exist'],
    ['SELECT x.a FROM t d', '42P01', 'missing FROM-clause entry for table "x"'],
    ['SELECT zz FROM t', '42703', 'column "zz" does not exist'],
    ['SELECT a, b FROM t GROUP BY a', '42803', 'column "b" must appear in the GROUP BY clause or be used in an aggregate function'],
    ['SELECT * FROM nosuch', '42P01', 'relation "nosuch" does not exist'],
    ['SELECT nosuch(a) FROM t', '42883', 'function nosuch does not exist'],
    ['SELECT a + b FROM t', '42883', expect.stringContaining('No function matches')],
    ['SELECT a FROM t, t', '42702', expect.stringContaining('Ambiguous reference to column name "a"')],
    ['SELEC 1', '42601', expect.stringContaining('syntax error')],
    ["SELECT 'x'::INTEGER", '22P02', expect.stringContaining('Could not convert string')],
  ])('%s → %s', async (sql, code, message) => {
    expect(await errorOf(sql)).toEqual({ code, message });
  });
});
