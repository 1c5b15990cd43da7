/**
 * Starts a real gateway for a test file, as `c2d demo` does: demo data generated at a small
 * scale into a temporary folder, three party nodes over it reached over mutual TLS and
 * registered by DDL in a fresh catalog, the wire server on an ephemeral loopback port with
 * SCRAM (user analyst / analyst) and TLS. No part of it is faked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { generateDemoData } from '../../src/demo/generate.js';
import { registerDemoFederation, startDemoParties } from '../../src/demo/demo-federation.js';
import { createFederatedEngine } from '../../src/engine/federated-engine.js';
import { CatalogStore } from '../../src/catalog/index.js';
import { startGateway, type RunningGateway } from '../../src/cli/run-gateway.js';

export interface TestGateway {
  host: string;
  port: number;
  database: 'c2d';
  user: 'analyst';
  password: 'analyst';
  gateway: RunningGateway;
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
  const logger = pino({ level: process.env.C2D_TEST_LOG ?? 'silent' });
  const parties = await startDemoParties(dataDir, join(stateDir, 'certs'), logger);
  const catalog = await CatalogStore.open(join(stateDir, 'catalog.sqlite'));
  const federated = await createFederatedEngine({ catalog, database: 'c2d', productVersion: 'test', federationTls: parties.gatewayTls });
  const gateway = await startGateway({
    engine: federated.engine,
    dataDir: stateDir,
    host: '127.0.0.1',
    port: 0,
    requireTls: options.requireTls ?? false,
    allowPlainOnLoopback: true,
    auth: options.auth ?? 'scram-sha-256',
    logger,
  });
  await gateway.users.setPassword('analyst', 'analyst');
  await registerDemoFederation({ host: '127.0.0.1', port: gateway.address.port, database: 'c2d', user: 'analyst', password: 'analyst' }, parties);
  return {
    host: '127.0.0.1',
    port: gateway.address.port,
    database: 'c2d',
    user: 'analyst',
    password: 'analyst',
    gateway,
    dataDir,
    async stop() {
      await gateway.close();
      await federated.close();
      await catalog.close();
      await parties.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
