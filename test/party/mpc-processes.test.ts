/**
 * The MPC runtime hosted by real `c2d party` processes (dist/src/cli/main.js party), each
 * over its own DuckDB file, driven by a real gateway over mutual TLS: a compute party
 * killed (SIGKILL) or stopped (SIGSTOP) in the middle of a secure distinct count gives the
 * client 08006 within 10 s and no result; after the party is back the next query is right.
 * A table with partitions at two parties runs with the third node as helper; with a party
 * down, fewer than three are reachable and the error says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { pino } from 'pino';
import type { DuckDBInstance } from '@duckdb/node-api';
import { generateDemoData, demoFilePath } from '../../src/demo/generate.js';
import { DEMO_PARTIES } from '../../src/demo/hospital-data.js';
import { readFederationCertificate, writeFederationCertificates } from '../../src/party/cert-files.js';
import { createFederatedEngine } from '../../src/engine/federated-engine.js';
import { CatalogStore } from '../../src/catalog/index.js';
import { startGateway, type RunningGateway } from '../../src/cli/run-gateway.js';
import { openDemoDatabase } from '../support/union-database.js';

const cli = join(import.meta.dirname, '../../dist/src/cli/main.js');
const POLICIES = {
  patients: { patient_id: 'public', national_id: 'protected', birth_date: 'public', sex: 'public', zip: 'public' },
  medications: { patient_id: 'public', drug: 'public', dose_mg: 'protected', prescribed_on: 'public' },
};

let dir: string;
let ports: Map<string, number>;
const children = new Map<string, ChildProcess>();
let gateway: RunningGateway;
let federated: Awaited<ReturnType<typeof createFederatedEngine>>;
let catalog: CatalogStore;
let client: pg.Client;
let reference: DuckDBInstance;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Starts `c2d party` for one demo hospital; resolves once it says it listens. */
async function startParty(name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, 'party', '--config', join(dir, `${name}.json`), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.set(name, child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`party ${name} exited (${code}) before listening: ${out}`)));
  });
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c2d-mpc-processes-'));
  await generateDemoData({ dir, scale: 0.2, seed: 7 });
  const certDir = join(dir, 'certs');
  await writeFederationCertificates(certDir, ['gateway', ...DEMO_PARTIES], ['127.0.0.1', 'localhost']);
  ports = new Map();
  for (const name of DEMO_PARTIES) {
    ports.set(name, await freePort());
    const config = {
      name,
      listen: { host: '127.0.0.1', port: ports.get(name) },
      tls: { key: `certs/${name}.key`, cert: `certs/${name}.crt`, ca: 'certs/ca.crt' },
      engine: { type: 'duckdb', path: demoFilePath(dir, name) },
      tables: Object.entries(POLICIES).map(([table, policies]) => ({ name: table, remote: { name: table }, policies })),
    };
    await writeFile(join(dir, `${name}.json`), JSON.stringify(config));
  }
  await Promise.all(DEMO_PARTIES.map(startParty));
  catalog = await CatalogStore.open(join(dir, 'catalog.sqlite'));
  federated = await createFederatedEngine({ catalog, database: 'c2d', productVersion: 'test', federationTls: await readFederationCertificate(certDir, 'gateway') });
  gateway = await startGateway({
    engine: federated.engine,
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    requireTls: false,
    allowPlainOnLoopback: true,
    auth: 'trust',
    logger: pino({ level: 'silent' }),
  });
  client = new pg.Client({ host: '127.0.0.1', port: gateway.address.port, user: 'analyst', database: 'c2d' });
  await client.connect();
  for (const name of DEMO_PARTIES) await client.query(`CREATE SERVER ${name} FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port '${ports.get(name)}')`);
  await client.query('CREATE TABLE patients (party text NOT NULL, patient_id int8, national_id text, birth_date date, sex text, zip text) PARTITION BY LIST (party)');
  await client.query('CREATE TABLE medications (party text NOT NULL, patient_id int8, drug text, dose_mg numeric(10,2), prescribed_on date) PARTITION BY LIST (party)');
  // A table at two hospitals only: its compute parties are those two and bwh as helper.
  await client.query('CREATE TABLE medications_two (party text NOT NULL, patient_id int8, drug text, dose_mg numeric(10,2), prescribed_on date) PARTITION BY LIST (party)');
  for (const name of DEMO_PARTIES) {
    for (const table of ['patients', 'medications']) {
      await client.query(`CREATE FOREIGN TABLE ${table}_${name} PARTITION OF ${table} FOR VALUES IN ('${name}') SERVER ${name} OPTIONS (table '${table}')`);
    }
  }
  for (const name of ['bmc', 'mgh']) {
    await client.query(`CREATE FOREIGN TABLE medications_two_${name} PARTITION OF medications_two FOR VALUES IN ('${name}') SERVER ${name} OPTIONS (table 'medications')`);
  }
  await client.query("SECURITY LABEL FOR c2d ON COLUMN patients.national_id IS 'protected'");
  await client.query("SECURITY LABEL FOR c2d ON COLUMN medications.dose_mg IS 'protected'");
  await client.query("SECURITY LABEL FOR c2d ON COLUMN medications_two.dose_mg IS 'protected'");
  reference = await openDemoDatabase(dir);
}, 180_000);

afterAll(async () => {
  await client?.end().catch(() => {});
  await gateway?.close();
  await federated?.close();
  await catalog?.close();
  for (const child of children.values()) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  }
  await Promise.all([...children.values()].map(exited));
  reference?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function direct(sql: string): Promise<number[][]> {
  const connection = await reference.connect();
  try {
    return ((await connection.runAndReadAll(sql)).getRowsJS() as unknown[][]).map((r) => r.map(Number));
  } finally {
    connection.closeSync();
  }
}

const SHARED = 'SELECT count(*) FROM (SELECT national_id FROM patients GROUP BY national_id HAVING count(DISTINCT party) > 1) t';

async function query(sql: string): Promise<number[][]> {
  return (await client.query({ text: sql, rowMode: 'array' })).rows.map((r: unknown[]) => r.map(Number));
}

/** Runs the distinct count; `fault` hits a party half-way through; resolves to the error and when it came. */
async function faulted(fault: () => void, at: number): Promise<{ error: unknown; afterFaultMs: number }> {
  const running = client.query(SHARED);
  let faultAt = 0;
  const timer = setTimeout(() => {
    faultAt = performance.now();
    fault();
  }, at);
  const error = await running.then(
    () => null,
    (e: unknown) => e,
  );
  clearTimeout(timer);
  return { error, afterFaultMs: performance.now() - faultAt };
}

describe('c2d party processes host the MPC runtime', () => {
  let cleanMs = 0;

  it('MIN/MAX and distinct counts equal one database holding all the data', async () => {
    const minMax = 'SELECT drug, min(dose_mg), max(dose_mg) FROM medications GROUP BY drug ORDER BY drug';
    expect(await query(minMax)).toEqual(await direct(minMax));
    const started = performance.now();
    expect(await query(SHARED)).toEqual(await direct(SHARED));
    cleanMs = performance.now() - started;
    console.log(`secure distinct count across three party processes: ${Math.round(cleanMs)} ms`);
    expect(cleanMs).toBeGreaterThan(300);
  }, 60_000);

  it('two data parties: the third node computes as helper', async () => {
    const sql = 'SELECT drug, min(dose_mg), max(dose_mg), count(*) FROM medications_two GROUP BY drug ORDER BY drug';
    const expected = await direct("SELECT drug, min(dose_mg), max(dose_mg), count(*) FROM medications WHERE party IN ('bmc', 'mgh') GROUP BY drug ORDER BY drug");
    expect(await query(sql)).toEqual(expected);
    const plan = (await client.query(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
    expect(plan).toMatch(/at compute parties bmc, mgh, bwh/);
  }, 60_000);

  it('a compute party killed mid-computation: 08006 within 10 s, no result; after it restarts the next query is right', async () => {
    const victim = children.get('mgh')!;
    const { error, afterFaultMs } = await faulted(() => victim.kill('SIGKILL'), Math.round(cleanMs / 3));
    console.log(`SIGKILL: error after ${Math.round(afterFaultMs)} ms: ${(error as Error | null)?.message}`);
    expect(error).toMatchObject({ code: '08006' });
    expect(afterFaultMs).toBeLessThan(10_000);
    await exited(victim);
    // Down: fewer than three party nodes answer.
    const down = performance.now();
    await expect(client.query(SHARED)).rejects.toMatchObject({ code: 'HV00N', message: expect.stringMatching(/three reachable party nodes/) });
    expect(performance.now() - down).toBeLessThan(10_000);
    await startParty('mgh');
    expect(await query(SHARED)).toEqual(await direct(SHARED));
  }, 90_000);

  it('a compute party stopped mid-computation: 08006 within 10 s; once it continues the next query is right', async () => {
    const victim = children.get('bwh')!;
    const { error, afterFaultMs } = await faulted(() => victim.kill('SIGSTOP'), Math.round(cleanMs / 3));
    console.log(`SIGSTOP: error after ${Math.round(afterFaultMs)} ms: ${(error as Error | null)?.message}`);
    victim.kill('SIGCONT');
    expect(error).toMatchObject({ code: '08006' });
    expect(afterFaultMs).toBeLessThan(10_000);
    expect(await query(SHARED)).toEqual(await direct(SHARED));
    const minMax = 'SELECT drug, min(dose_mg), max(dose_mg) FROM medications GROUP BY drug ORDER BY drug';
    expect(await query(minMax)).toEqual(await direct(minMax));
  }, 90_000);
});
