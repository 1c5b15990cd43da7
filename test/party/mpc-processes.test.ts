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
import { PartyClient } from '../../src/party/party-client.js';
import { openDemoDatabase } from '../support/union-database.js';

const cli = join(import.meta.dirname, '../../dist/src/cli/main.js');
const POLICIES = {
  patients: { patient_id: 'public', national_id: 'protected', birth_date: 'public', sex: 'public', zip: 'public' },
  medications: { patient_id: 'public', drug: 'public', dose_mg: 'protected', prescribed_on: 'public' },
};

let dir: string;
let ports: Map<string, number>;
const children = new Map<string, ChildProcess>();
/** Called with each line a party logs (JSON on stderr). */
const logListeners = new Set<(party: string, line: string) => void>();
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
  const child = spawn(process.execPath, [cli, 'party', '--config', join(dir, `${name}.json`), '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(name, child);
  let logged = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    logged += chunk.toString();
    const lines = logged.split('\n');
    logged = lines.pop()!;
    for (const line of lines) for (const listener of logListeners) listener(name, line);
  });
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

/**
 * Runs the distinct count; `fault` hits `victim` once its MPC program has run for `delayMs`
 * (its log says when it starts). Resolves to the error and how long after the fault it came.
 */
async function faulted(victim: string, fault: () => void, delayMs: number): Promise<{ error: unknown; afterFaultMs: number }> {
  let faultAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const listener = (party: string, line: string): void => {
    if (party !== victim || !line.includes('secure computation started') || timer) return;
    timer = setTimeout(() => {
      faultAt = performance.now();
      fault();
    }, delayMs);
  };
  logListeners.add(listener);
  try {
    const error = await client.query(SHARED).then(
      () => null,
      (e: unknown) => e,
    );
    return { error, afterFaultMs: faultAt === 0 ? -1 : performance.now() - faultAt };
  } finally {
    logListeners.delete(listener);
    clearTimeout(timer);
  }
}

describe('MPC requests to a party node are checked', () => {
  it('malformed programs, meshes and callers are refused with a SQLSTATE; the node goes on', async () => {
    const certDir = join(dir, 'certs');
    const address = `127.0.0.1:${ports.get('bmc')}`;
    const asGateway = new PartyClient({ name: 'bmc', address, tls: await readFederationCertificate(certDir, 'gateway') });
    const asParty = new PartyClient({ name: 'bmc', address, tls: await readFederationCertificate(certDir, 'mgh') });
    try {
      const run = { meshKey: 'x', computationId: '0123456789abcdef', contributors: ['bmc'], program: { kind: 'reaggregate', kinds: ['min'] }, timeoutMs: 1000, roundTimeoutMs: 1000 };
      await expect(asGateway.mpcRun({ ...run, program: { kind: 'sort' } } as never, 5000)).rejects.toMatchObject({ code: '08P01' });
      await expect(asGateway.mpcRun({ ...run, program: { kind: 'reaggregate', kinds: ['median'] } } as never, 5000)).rejects.toMatchObject({ code: '08P01' });
      // Reveal plans: a column out of range, a MIN column as a count, an average over itself, a bad range.
      const reveal = (r: unknown) => asGateway.mpcRun({ ...run, program: { kind: 'reaggregate', kinds: ['add', 'add', 'min'], reveal: r } } as never, 5000);
      await expect(reveal({ nonzero: [3] })).rejects.toMatchObject({ code: '08P01' });
      await expect(reveal({ nonzero: [2] })).rejects.toMatchObject({ code: '08P01' });
      await expect(reveal({ averages: [{ sum: 0, count: 0 }] })).rejects.toMatchObject({ code: '08P01' });
      await expect(reveal({ averages: [{ sum: 0 }] })).rejects.toMatchObject({ code: '08P01' });
      await expect(reveal({ averages: [{ sum: 0, count: 1 }], averageBits: 65 })).rejects.toMatchObject({ code: '08P01' });
      await expect(reveal('all')).rejects.toMatchObject({ code: '08P01' });
      await expect(asGateway.mpcRun({ ...run, contributors: ['bmc', 'bmc'] } as never, 5000)).rejects.toMatchObject({ code: '08P01' });
      // No mesh under that key: a connection failure, not a hang.
      await expect(asGateway.mpcRun(run as never, 5000)).rejects.toMatchObject({ code: '08006' });
      const peers = DEMO_PARTIES.map((name) => ({ name, host: '127.0.0.1', port: 1 }));
      await expect(asGateway.mpcPrepare({ meshKey: 'k', self: 1, parties: peers }, 5000)).rejects.toMatchObject({ code: '08P01' }); // index 1 is not bmc
      await expect(asGateway.mpcPrepare({ meshKey: 'k', self: 0, parties: peers.slice(0, 2) }, 5000)).rejects.toMatchObject({ code: '08P01' });
      await expect(asGateway.mpcPrepare({ meshKey: 'k', self: 0, parties: [peers[0]!, peers[0]!, peers[1]!] }, 5000)).rejects.toMatchObject({ code: '08P01' });
      // Another party may send shares, but not drive computations.
      await expect(asParty.mpcRun(run as never, 5000)).rejects.toMatchObject({ code: '42501' });
      await expect(asParty.mpcHello(5000)).rejects.toMatchObject({ code: '42501' });
      expect((await asGateway.mpcHello(5000)).mpcPort).toBeGreaterThan(0);
    } finally {
      asGateway.close();
      asParty.close();
    }
  }, 60_000);
});

describe('c2d party processes host the MPC runtime', () => {
  let cleanMs = 0;

  it('MIN/MAX and distinct counts equal one database holding all the data', async () => {
    const minMax = 'SELECT drug, min(dose_mg), max(dose_mg) FROM medications GROUP BY drug ORDER BY drug';
    expect(await query(minMax)).toEqual(await direct(minMax));
    const started = performance.now();
    expect(await query(SHARED)).toEqual(await direct(SHARED));
    cleanMs = performance.now() - started;
    console.log(`secure distinct count across three party processes: ${Math.round(cleanMs)} ms`);
    // The faults below land 150 ms into the MPC program: it must run longer than that.
    expect(cleanMs).toBeGreaterThan(500);
  }, 60_000);

  it('two data parties: the third node computes as helper', async () => {
    const sql = 'SELECT drug, min(dose_mg), max(dose_mg), count(*) FROM medications_two GROUP BY drug ORDER BY drug';
    const expected = await direct("SELECT drug, min(dose_mg), max(dose_mg), count(*) FROM medications WHERE party IN ('bmc', 'mgh') GROUP BY drug ORDER BY drug");
    expect(await query(sql)).toEqual(expected);
    const plan = (await client.query(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
    expect(plan).toMatch(/at compute parties bmc, mgh, bwh/);
    // Sums and averages too: additive sharing needs three compute parties as well.
    const sums = 'SELECT drug, sum(dose_mg), count(dose_mg) FROM medications_two GROUP BY drug ORDER BY drug';
    expect(await query(sums)).toEqual(await direct("SELECT drug, sum(dose_mg), count(dose_mg) FROM medications WHERE party IN ('bmc', 'mgh') GROUP BY drug ORDER BY drug"));
  }, 60_000);

  it('a compute party killed mid-computation: 08006 within 10 s, no result; after it restarts the next query is right', async () => {
    const victim = children.get('mgh')!;
    const { error, afterFaultMs } = await faulted('mgh', () => victim.kill('SIGKILL'), 150);
    console.log(`SIGKILL: error after ${Math.round(afterFaultMs)} ms: ${(error as Error | null)?.message}`);
    expect(error).toMatchObject({ code: '08006' });
    expect(afterFaultMs).toBeGreaterThanOrEqual(0);
    expect(afterFaultMs).toBeLessThan(10_000);
    await exited(victim);
    // Down: fewer than three party nodes answer.
    const down = performance.now();
    await expect(client.query(SHARED)).rejects.toMatchObject({ code: 'HV00N', message: expect.stringMatching(/three reachable party nodes/) });
    console.log(`one of three parties down: HV00N after ${Math.round(performance.now() - down)} ms`);
    expect(performance.now() - down).toBeLessThan(10_000);
    await startParty('mgh');
    expect(await query(SHARED)).toEqual(await direct(SHARED));
  }, 90_000);

  it('a compute party stopped mid-computation: 08006 within 10 s; once it continues the next query is right', async () => {
    const victim = children.get('bwh')!;
    const { error, afterFaultMs } = await faulted('bwh', () => victim.kill('SIGSTOP'), 150);
    console.log(`SIGSTOP: error after ${Math.round(afterFaultMs)} ms: ${(error as Error | null)?.message}`);
    victim.kill('SIGCONT');
    expect(error).toMatchObject({ code: '08006' });
    expect(afterFaultMs).toBeGreaterThanOrEqual(0);
    expect(afterFaultMs).toBeLessThan(10_000);
    expect(await query(SHARED)).toEqual(await direct(SHARED));
    const minMax = 'SELECT drug, min(dose_mg), max(dose_mg) FROM medications GROUP BY drug ORDER BY drug';
    expect(await query(minMax)).toEqual(await direct(minMax));
  }, 90_000);
});
