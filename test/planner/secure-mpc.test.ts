/**
 * The replicated three-party runtime hosted by the party nodes, driven through a real
 * gateway: the demo federation (three party nodes over DuckDB files, mutual TLS, registered
 * by DDL) where the hospitals protect medications.dose_mg and patients.national_id.
 * MIN/MAX per group and distinct counts across parties are computed under MPC and equal
 * the same query over one database holding all the data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { DuckDBInstance } from '@duckdb/node-api';
import { openDemoDatabase } from '../support/union-database.js';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';

let gateway: TestGateway;
let client: pg.Client;
let reference: DuckDBInstance;

beforeAll(async () => {
  gateway = await startTestGateway();
  client = new pg.Client({ host: gateway.host, port: gateway.port, user: gateway.user, password: gateway.password, database: gateway.database });
  await client.connect();
  reference = await openDemoDatabase(gateway.dataDir);
}, 120_000);

afterAll(async () => {
  await client?.end();
  reference?.closeSync();
  await gateway?.stop();
});

async function direct(sql: string): Promise<unknown[][]> {
  const connection = await reference.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowsJS() as unknown[][];
  } finally {
    connection.closeSync();
  }
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(Number(v)));

describe('MIN and MAX of a protected column under the replicated runtime', () => {
  it('per group, equal one database holding all the data', async () => {
    const sql = 'SELECT drug, min(dose_mg), max(dose_mg) FROM medications GROUP BY drug ORDER BY drug';
    const r = await client.query({ text: sql, rowMode: 'array' });
    const expected = await direct(sql);
    expect(r.rows.length).toBeGreaterThan(5);
    expect(r.rows.map((row) => row.map(text))).toEqual(expected.map((row) => row.map(text)));
    expect(r.fields.map((f) => f.name)).toEqual(['drug', 'min', 'max']);
  }, 60_000);

  it('mixed with count, sum and avg, grouped by the partition key, with a filter; NULL over no rows', async () => {
    const sql =
      "SELECT party, count(*), min(dose_mg) AS lo, max(dose_mg) AS hi, sum(dose_mg) AS total FROM medications WHERE prescribed_on >= '2024-03-01' GROUP BY party ORDER BY party";
    const r = await client.query({ text: sql, rowMode: 'array' });
    expect(r.rows.map((row) => row.map(text))).toEqual((await direct(sql)).map((row) => row.map(text)));
    const none = await client.query("SELECT min(dose_mg) AS lo, max(dose_mg) AS hi FROM medications WHERE drug = 'no such drug'");
    expect(none.rows).toEqual([{ lo: null, hi: null }]);
    const whole = await client.query({ text: 'SELECT min(dose_mg), max(dose_mg) FROM medications', rowMode: 'array' });
    expect(whole.rows.map((row) => row.map(text))).toEqual((await direct('SELECT min(dose_mg), max(dose_mg) FROM medications')).map((row) => row.map(text)));
  }, 60_000);

  it('EXPLAIN names the protocol and the compute parties', async () => {
    const plan = (await client.query('EXPLAIN SELECT drug, max(dose_mg) FROM medications GROUP BY drug')).rows.map((row) => row['QUERY PLAN'] as string);
    expect(plan.join('\n')).toMatch(/replicated 3-party secret sharing .* at compute parties bmc, bwh, mgh/);
  });
});
