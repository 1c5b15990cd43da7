/**
 * Starts a real gateway for a test file: demo data generated at a small scale into a
 * temporary folder, the local DuckDB engine, the wire server on an ephemeral loopback
 * port with SCRAM (user analyst / analyst) and TLS. No part of it is faked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { generateDemoData } from '../../src/demo/generate.js';
import { openDemoDatabase } from '../../src/demo/local-database.js';
import { createLocalEngine } from '../../src/engine/index.js';
import { startGateway, type RunningGateway } from '../../src/cli/run-gateway.js';
import type { DuckDBInstance } from '@duckdb/node-api';

export interface TestGateway {
  host: string;
  port: number;
  database: 'c2d';
  user: 'analyst';
  password: 'analyst';
  gateway: RunningGateway;
  instance: DuckDBInstance;
  /** The demo data folder (party DuckDB files), for comparing with DuckDB directly. */
  dataDir: string;
  stop(): Promise<void>;
}

const dataCache = new Map<string, Promise<string>>();

/** Demo data at scale 0.2, generated once per test process. */
async function demoData(): Promise<string> {
  const key = 'demo';
  let dir = dataCache.get(key);
  if (!dir) {
    dir = (async () => {
      const d = await mkdtemp(join(tmpdir(), 'c2d-test-data-'));
      await generateDemoData({ dir: d, scale: 0.2, seed: 7 });
      return d;
    })();
    dataCache.set(key, dir);
  }
  return dir;
}

export async function startTestGateway(options: { auth?: 'scram-sha-256' | 'trust'; requireTls?: boolean } = {}): Promise<TestGateway> {
  const dataDir = await demoData();
  const stateDir = await mkdtemp(join(tmpdir(), 'c2d-test-gw-'));
  const instance = await openDemoDatabase(dataDir);
  const engine = await createLocalEngine({ instance, database: 'c2d', productVersion: 'test' });
  const gateway = await startGateway({
    engine,
    dataDir: stateDir,
    host: '127.0.0.1',
    port: 0,
    requireTls: options.requireTls ?? false,
    allowPlainOnLoopback: true,
    auth: options.auth ?? 'scram-sha-256',
    logger: pino({ level: process.env.C2D_TEST_LOG ?? 'silent' }),
  });
  await gateway.users.setPassword('analyst', 'analyst');
  return {
    host: '127.0.0.1',
    port: gateway.address.port,
    database: 'c2d',
    user: 'analyst',
    password: 'analyst',
    gateway,
    instance,
    dataDir,
    async stop() {
      await gateway.close();
      instance.closeSync();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
