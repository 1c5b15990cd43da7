/**
 * postgres_fdw in the local PostgreSQL pointed at the gateway: CREATE SERVER, USER
 * MAPPING, IMPORT FOREIGN SCHEMA, and queries whose WHERE reaches the gateway (postgres_fdw
 * reads through DECLARE … CURSOR / FETCH in a REPEATABLE READ transaction).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';
import { createTestDatabase, LOCAL_POSTGRES, type TestDatabase } from '../support/postgres-database.js';

let db: TestDatabase;
let gw: TestGateway;
let local: pg.Client;
let direct: pg.Client;

beforeAll(async () => {
  gw = await startTestGateway();
  db = await createTestDatabase('fdw');
  local = new pg.Client({ ...LOCAL_POSTGRES, database: db.name });
  await local.connect();
  direct = new pg.Client({ host: gw.host, port: gw.port, database: 'c2d', user: gw.user, password: gw.password });
  await direct.connect();
  await local.query('CREATE EXTENSION postgres_fdw');
  await local.query(
    `CREATE SERVER c2d FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '${gw.port}', dbname 'c2d', sslmode 'require')`,
  );
  await local.query(`CREATE USER MAPPING FOR CURRENT_USER SERVER c2d OPTIONS (user 'analyst', password 'analyst')`);
  await local.query('CREATE SCHEMA hospitals');
  await local.query('IMPORT FOREIGN SCHEMA public FROM SERVER c2d INTO hospitals');
});

afterAll(async () => {
  await direct?.end();
  await local?.end();
  await db?.drop();
  await gw?.stop();
});

it('imports the gateway’s tables with their types', async () => {
  const r = await local.query(
    `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE n.nspname = 'hospitals' AND c.relname = 'trauma_cases' AND a.attnum > 0 ORDER BY a.attnum`,
  );
  expect(r.rows.map((x) => `${x.attname}:${x.type}`)).toEqual([
    'party:text',
    'case_id:bigint',
    'patient_id:bigint',
    'arrived_at:timestamp with time zone',
    'severity:integer',
    'mechanism:text',
  ]);
});

it('answers a query with a pushed-down WHERE exactly as the gateway does', async () => {
  const sql = `SELECT party, count(*)::int AS n, max(severity) AS worst FROM %s
                WHERE arrived_at >= '2025-04-15' AND arrived_at < '2025-04-16' AND severity > 10
                GROUP BY party ORDER BY party`;
  const viaFdw = await local.query(sql.replace('%s', 'hospitals.trauma_cases'));
  const viaGateway = await direct.query(sql.replace('%s', 'trauma_cases'));
  expect(viaFdw.rows).toEqual(viaGateway.rows);
  expect(viaFdw.rows.length).toBe(3);
  const plan = await local.query(`EXPLAIN VERBOSE ${sql.replace('%s', 'hospitals.trauma_cases')}`);
  const remote = plan.rows.map((r) => r['QUERY PLAN'] as string).find((l) => l.includes('Remote SQL'));
  expect(remote).toContain('WHERE');
  expect(remote).toContain('severity');
});

it('reads a large table through cursor fetches', async () => {
  const viaFdw = await local.query('SELECT count(*)::int AS n, count(DISTINCT icd10)::int AS codes FROM hospitals.diagnoses');
  const viaGateway = await direct.query('SELECT count(*)::int AS n, count(DISTINCT icd10)::int AS codes FROM diagnoses');
  expect(viaFdw.rows).toEqual(viaGateway.rows);
});
