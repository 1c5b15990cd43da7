import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbConnector } from '../../connectors/duckdb/duckdb-connector.js';

// The DuckDB connector keeps a fragment's prepared statement per pooled connection: a
// repeated fragment must still see the table as it is now, and many distinct fragments
// must not pile up statements.
let instance: DuckDBInstance;
let connector: DuckDbConnector;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connector = DuckDbConnector.over(instance);
});
afterAll(async () => {
  await connector.close();
  instance.closeSync();
});

async function rows(sql: string): Promise<{ columns: string[]; values: unknown[][] }> {
  const stream = await connector.execute(sql, { signal: new AbortController().signal });
  const values: unknown[][] = [];
  for await (const batch of stream.batches()) {
    for (let r = 0; r < batch.rowCount; r++) values.push(batch.columns.map((column) => column[r]));
  }
  return { columns: stream.columns.map((c) => c.name), values };
}

async function admin(sql: string): Promise<void> {
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
  }
}

describe('DuckDB connector: prepared fragments reused', () => {
  it('a repeated fragment sees the table as changed since it was first prepared', async () => {
    await admin('CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2)');
    const sql = 'SELECT * FROM "t" ORDER BY 1';
    expect(await rows(sql)).toEqual({ columns: ['a'], values: [[1], [2]] });
    expect(await rows(sql)).toEqual({ columns: ['a'], values: [[1], [2]] });
    await admin("INSERT INTO t VALUES (3); ALTER TABLE t ADD COLUMN b VARCHAR DEFAULT 'x'");
    expect(await rows(sql)).toEqual({ columns: ['a', 'b'], values: [[1, 'x'], [2, 'x'], [3, 'x']] });
    await admin("DROP TABLE t; CREATE TABLE t (c VARCHAR); INSERT INTO t VALUES ('z')");
    expect(await rows(sql)).toEqual({ columns: ['c'], values: [['z']] });
    await admin('DROP TABLE t');
    await expect(rows(sql)).rejects.toMatchObject({ code: '42P01' });
  });

  it('answers right through many distinct fragments (older statements are let go) and back to the first', async () => {
    for (let i = 0; i < 100; i++) expect((await rows(`SELECT ${i} AS v`)).values).toEqual([[i]]);
    expect((await rows('SELECT 0 AS v')).values).toEqual([[0]]);
  });
});
