/**
 * Three parties on three engines — a database on the local PostgreSQL, a DuckDB file and
 * the real Spark Connect server — registered with the DDL alone: psql's \d shows their
 * tables with the right types, and one federated table over all three answers a query
 * across the engines (partial aggregates from each, combined at the gateway).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Connector } from '../../connectors/connector.js';
import { DuckDbConnector } from '../../connectors/duckdb/duckdb-connector.js';
import { PostgresConnector } from '../../connectors/postgres/postgres-connector.js';
import { SparkConnector } from '../../connectors/spark/spark-connector.js';
import { CatalogStore } from '../../src/catalog/index.js';
import { startGateway, type RunningGateway } from '../../src/cli/run-gateway.js';
import { createFederatedEngine, type FederatedEngine } from '../../src/engine/federated-engine.js';
import { createCertificateAuthority, issueCertificate } from '../../src/party/certs.js';
import { createPartyNode, type PartyNode } from '../../src/party/party-node.js';
import { createTestDatabase, LOCAL_POSTGRES, type TestDatabase } from '../support/postgres-database.js';
import { startSparkConnectServer, type SparkConnectServer } from '../support/spark-connect-server.js';

const silent = pino({ level: 'silent' });
let dir: string;
let spark: SparkConnectServer;
let database: TestDatabase;
const connectors: Connector[] = [];
const nodes: PartyNode[] = [];
let catalog: CatalogStore;
let federated: FederatedEngine;
let gateway: RunningGateway;
let client: pg.Client;

/** Each engine's rows: (id, patient, amount, seen_on). */
const ROWS: Record<string, Array<[number, string | null, string | null, string | null]>> = {
  pgp: [[1, "O'Brien", '10.50', '2024-01-01'], [2, 'Smith', '20.25', '2024-02-29'], [3, null, null, null]],
  duckp: [[1, 'Ng', '1.00', '2024-03-01'], [2, 'back\\slash', '2.50', '2023-12-31']],
  sparkp: [[1, 'ünï', '100.00', '2024-05-05'], [2, 'Doe', '0.01', '2024-06-06'], [3, 'Roe', '5.55', '2024-07-07'], [4, 'Poe', null, '2024-08-08']],
};

function values(rows: (typeof ROWS)[string], date: (d: string) => string): string {
  const literal = (v: string | null): string => (v === null ? 'NULL' : `'${v.replaceAll("'", "''")}'`);
  return rows.map(([id, patient, amount, seen]) => `(${id}, ${literal(patient)}, ${amount ?? 'NULL'}, ${seen === null ? 'NULL' : date(seen)})`).join(', ');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c2d-three-'));
  spark = await startSparkConnectServer();
  const sparkConnector = new SparkConnector({ url: spark.url });
  await sparkConnector.rows('CREATE TABLE visits (id INT NOT NULL, patient STRING, amount DECIMAL(10,2), seen_on DATE) USING parquet');
  // Spark SQL reads a backslash in a string literal as an escape.
  await sparkConnector.rows(`INSERT INTO visits VALUES ${values(ROWS['sparkp']!, (d) => `DATE '${d}'`).replaceAll('\\', '\\\\')}`);
  database = await createTestDatabase('threeengines', [
    'CREATE TABLE visits (id int NOT NULL, patient text, amount numeric(10,2), seen_on date)',
    `INSERT INTO visits VALUES ${values(ROWS['pgp']!, (d) => `DATE '${d}'`)}`,
  ]);
  const duckFile = join(dir, 'party.duckdb');
  const duck = await DuckDBInstance.create(duckFile);
  const c = await duck.connect();
  await c.run('CREATE TABLE visits (id INTEGER NOT NULL, patient VARCHAR, amount DECIMAL(10,2), seen_on DATE)');
  await c.run(`INSERT INTO visits VALUES ${values(ROWS['duckp']!, (d) => `DATE '${d}'`)}`);
  c.closeSync();
  duck.closeSync();

  const ca = await createCertificateAuthority('test');
  const engines: Array<[string, Connector, string]> = [
    ['pgp', new PostgresConnector({ ...LOCAL_POSTGRES, database: database.name }), 'public'],
    ['duckp', await DuckDbConnector.open({ path: duckFile, readOnly: true }), 'main'],
    ['sparkp', sparkConnector, 'default'],
  ];
  const ports: Record<string, number> = {};
  for (const [name, connector, schema] of engines) {
    connectors.push(connector);
    const node = createPartyNode({
      name,
      connector,
      tables: [{ name: 'visits', remote: { schema, name: 'visits' }, policies: { id: 'public', patient: 'public', amount: 'public', seen_on: 'public' } }],
      tls: await issueCertificate(ca, name, ['127.0.0.1']),
      logger: silent,
    });
    nodes.push(node);
    ports[name] = await node.listen(0, '127.0.0.1');
  }
  catalog = await CatalogStore.open(join(dir, 'catalog.sqlite'));
  federated = await createFederatedEngine({ catalog, database: 'c2d', productVersion: 'test', federationTls: await issueCertificate(ca, 'gateway', []) });
  gateway = await startGateway({ engine: federated.engine, dataDir: dir, host: '127.0.0.1', port: 0, requireTls: false, allowPlainOnLoopback: true, auth: 'trust', logger: silent });
  client = new pg.Client({ host: '127.0.0.1', port: gateway.address.port, user: 'dba', database: 'c2d' });
  await client.connect();
  // The DDL alone registers everything.
  await client.query('CREATE TABLE visits (party text NOT NULL, id int NOT NULL, patient text, amount numeric(10,2), seen_on date) PARTITION BY LIST (party)');
  for (const name of Object.keys(ports)) {
    await client.query(`CREATE SERVER ${name} FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port '${ports[name]}')`);
    await client.query(`CREATE SCHEMA ${name}`);
    await client.query(`IMPORT FOREIGN SCHEMA public FROM SERVER ${name} INTO ${name}`);
    await client.query(`CREATE FOREIGN TABLE visits_${name} PARTITION OF visits FOR VALUES IN ('${name}') SERVER ${name} OPTIONS (table 'visits')`);
  }
}, 900_000);

afterAll(async () => {
  await client?.end();
  await gateway?.close();
  await federated?.close();
  await catalog?.close();
  for (const node of nodes) await node.close();
  for (const connector of connectors) await connector.close();
  await spark?.stop();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

function psql(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('psql', ['-X', '-h', '127.0.0.1', '-p', String(gateway.address.port), '-U', 'dba', '-d', 'c2d', '-c', command], { env: { ...process.env, PGSSLMODE: 'disable' } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describe('parties on PostgreSQL, DuckDB and Spark, registered by DDL', () => {
  it.each(['pgp', 'duckp', 'sparkp'])('\\d shows the table imported from %s with its types', async (party) => {
    const out = await psql(`\\d ${party}.visits`);
    expect(out).toContain(`Foreign table "${party}.visits"`);
    // Spark reports the columns of a file-based (parquet) table as nullable, NOT NULL or not.
    expect(out).toMatch(party === 'sparkp' ? /^ id\s+\| integer\s+\|\s+\|\s+\|/m : /^ id\s+\| integer\s+\|\s+\| not null/m);
    expect(out).toMatch(/^ patient\s+\| text\s+\|/m);
    expect(out).toMatch(/^ amount\s+\| numeric\(10,2\)\s+\|/m);
    expect(out).toMatch(/^ seen_on\s+\| date\s+\|/m);
    expect(out).toContain(`Server: ${party}`);
  });

  it('\\d+ shows the federated table with a partition at each engine', async () => {
    const out = await psql('\\d+ visits');
    expect(out).toContain('Partitioned table "public.visits"');
    for (const party of ['pgp', 'duckp', 'sparkp']) expect(out).toContain(`visits_${party} FOR VALUES IN ('${party}')`);
  });

  it('answers one query across the three engines', async () => {
    const r = await client.query('SELECT party, count(*) AS n, count(patient) AS named, sum(amount) AS total, max(seen_on)::text AS last FROM visits GROUP BY party ORDER BY party');
    const expected = Object.entries(ROWS)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([party, rows]) => ({
        party,
        n: String(rows.length),
        named: String(rows.filter((row) => row[1] !== null).length),
        total: rows.reduce((sum, row) => sum + (row[2] === null ? 0 : Math.round(Number(row[2]) * 100)), 0) / 100,
        last: rows.map((row) => row[3]).filter((d): d is string => d !== null).sort().at(-1)!,
      }));
    expect(r.rows.map((row) => ({ ...row, total: Number(row.total) }))).toEqual(expected);
    const names = await client.query("SELECT party, patient FROM visits WHERE patient LIKE '%''%' OR patient = 'back\\slash' OR patient = 'ünï' ORDER BY party");
    expect(names.rows).toEqual([
      { party: 'duckp', patient: 'back\\slash' },
      { party: 'pgp', patient: "O'Brien" },
      { party: 'sparkp', patient: 'ünï' },
    ]);
  });
});
