/**
 * One contract every connector passes, run against the real engines: the same table in a
 * fresh PostgreSQL database and in DuckDB, described and queried through the Connector
 * interface, with the same answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../connectors/connector.js';
import { DuckDbConnector } from '../../connectors/duckdb/duckdb-connector.js';
import { PostgresConnector } from '../../connectors/postgres/postgres-connector.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTestDatabase, LOCAL_POSTGRES, type TestDatabase } from '../support/postgres-database.js';


/** Runs on both engines unchanged: the table each connector is tested on. */
const SETUP = [
  `CREATE TABLE visits (id INTEGER NOT NULL, patient TEXT, amount NUMERIC(10,2), seen_on DATE, ok BOOLEAN)`,
  `INSERT INTO visits VALUES (1, 'O''Brien', 10.50, DATE '2024-01-01', TRUE), (2, 'back\\slash', NULL, DATE '2024-02-29', FALSE),
     (3, NULL, 99.99, NULL, NULL), (4, 'ünï', 0.01, DATE '1999-12-31', TRUE)`,
  `CREATE TABLE big AS SELECT i AS n FROM generate_series(1, 50000) AS s(i)`,
];

let duckInstance: DuckDBInstance;
const connectors: Array<[string, () => Connector]> = [];
let postgresConnector: PostgresConnector;
let db: TestDatabase;
let duckdbConnector: DuckDbConnector;

beforeAll(async () => {
  db = await createTestDatabase('connectors', SETUP);
  duckInstance = await DuckDBInstance.create(':memory:');
  const d = await duckInstance.connect();
  for (const sql of SETUP) await d.run(sql);
  d.closeSync();
  postgresConnector = new PostgresConnector({ ...LOCAL_POSTGRES, database: db.name });
  duckdbConnector = DuckDbConnector.over(duckInstance);
});

afterAll(async () => {
  await postgresConnector?.close();
  await duckdbConnector?.close();
  duckInstance?.closeSync();
  await db?.drop();
});

connectors.push(['postgres', () => postgresConnector], ['duckdb', () => duckdbConnector]);

async function rowsOf(connector: Connector, sql: string): Promise<unknown[][]> {
  const stream = await connector.execute(sql, { signal: new AbortController().signal, batchRows: 1000 });
  const rows: unknown[][] = [];
  for await (const batch of stream.batches()) {
    for (let r = 0; r < batch.rowCount; r++) rows.push(batch.columns.map((col) => col[r]));
  }
  return rows;
}

describe.each(connectors)('%s connector', (_name, get) => {
  it('lists and describes tables with PostgreSQL types', async () => {
    const connector = get();
    const schema = connector.engine === 'duckdb' ? 'main' : 'public';
    expect(await connector.listTables(schema)).toEqual([
      { schema, name: 'big' },
      { schema, name: 'visits' },
    ]);
    const table = await connector.describeTable({ schema, name: 'visits' });
    expect(table.columns.map((c) => [c.name, c.typeOid, c.typmod, c.nullable])).toEqual([
      ['id', 23, -1, false],
      ['patient', 25, -1, true],
      ['amount', 1700, (10 << 16) + 2 + 4, true],
      ['seen_on', 1082, -1, true],
      ['ok', 16, -1, true],
    ]);
    await expect(connector.describeTable({ schema, name: 'nope' })).rejects.toMatchObject({ code: '42P01' });
  });

  it('returns rows in the JS representation of their PostgreSQL types', async () => {
    const connector = get();
    const d = connector.dialect;
    const sql = `SELECT id, patient, amount, seen_on, ok FROM ${d.quoteIdentifier('visits')} WHERE patient IS DISTINCT FROM ${d.quoteString("O'Brien")} ORDER BY id`;
    expect(await rowsOf(connector, sql)).toEqual([
      [2, 'back\\slash', null, 19782, false],
      [3, null, '99.99', null, null],
      [4, 'ünï', '0.01', 10956, true],
    ]);
  });

  it('streams a large result in batches', async () => {
    const connector = get();
    const stream = await connector.execute('SELECT n FROM big ORDER BY n', { signal: new AbortController().signal, batchRows: 4096 });
    let count = 0;
    let batches = 0;
    let last = 0;
    for await (const batch of stream.batches()) {
      batches++;
      count += batch.rowCount;
      last = Number(batch.columns[0]![batch.rowCount - 1]);
    }
    expect(count).toBe(50000);
    expect(last).toBe(50000);
    expect(batches).toBeGreaterThan(1);
  });

  it('cancels a running fragment with 57014', async () => {
    const connector = get();
    const controller = new AbortController();
    const slow = connector.engine === 'duckdb'
      ? 'SELECT count(*) FROM range(100000000000) a'
      : 'SELECT count(*) FROM generate_series(1, 1000000000)';
    const started = performance.now();
    const run = (async () => {
      const stream = await connector.execute(slow, { signal: controller.signal });
      for await (const _ of stream.batches());
    })();
    setTimeout(() => controller.abort(), 300);
    await expect(run).rejects.toMatchObject({ code: '57014' });
    expect(performance.now() - started).toBeLessThan(3000);
    // The connector is still usable afterwards.
    expect(await rowsOf(connector, 'SELECT 1 AS one')).toHaveLength(1);
  });

  it('cancels at any moment of a fragment’s start (between its statements too) within 3 s', async () => {
    const connector = get();
    const slow = connector.engine === 'duckdb' ? 'SELECT count(*) FROM range(100000000000) a' : 'SELECT count(*) FROM generate_series(1, 1000000000)';
    for (const delayMs of [0, 1, 2, 3, 5, 8, 13, 21]) {
      const controller = new AbortController();
      const started = performance.now();
      const run = (async () => {
        const stream = await connector.execute(slow, { signal: controller.signal });
        for await (const _ of stream.batches());
      })();
      setTimeout(() => controller.abort(), delayMs);
      await expect(run).rejects.toMatchObject({ code: '57014' });
      expect(performance.now() - started).toBeLessThan(3000);
    }
    expect(await rowsOf(connector, 'SELECT 1 AS one')).toHaveLength(1);
  }, 60_000);

  it('reports engine errors with a SQLSTATE', async () => {
    await expect(rowsOf(get(), 'SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
  });
});

describe('unreachable PostgreSQL', () => {
  it('fails within the bound with a connection error', async () => {
    const connector = new PostgresConnector({ host: '127.0.0.1', port: 1, database: 'x', user: 'x', connectTimeoutMs: 2000 });
    const started = performance.now();
    await expect(connector.ping(5000)).rejects.toMatchObject({ code: expect.stringMatching(/^(08006|HV00N)$/) });
    expect(performance.now() - started).toBeLessThan(5500);
    await connector.close();
  });
});
