/**
 * A wire server for tests that need options the demo gateway does not take (no TLS, TLS
 * required even on loopback, short timeouts, small message limits): the real local engine
 * over an in-memory DuckDB, users with SCRAM verifiers, an ephemeral loopback port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { pino } from 'pino';
import { createLocalEngine } from '../../src/engine/index.js';
import { createPgServer, type PgServer, type PgServerOptions } from '../../src/server/pg-server.js';
import { createScramVerifier } from '../../src/server/auth/scram.js';
import { loadOrCreateTlsCertificate, type TlsMaterial } from '../../src/server/tls-certificate.js';

export interface TestServer {
  host: '127.0.0.1';
  port: number;
  server: PgServer;
  tls: TlsMaterial;
  stop(): Promise<void>;
}

export interface TestServerOptions extends Partial<Omit<PgServerOptions, 'engine' | 'auth' | 'tls'>> {
  auth?: 'scram-sha-256' | 'trust';
  /** Serve TLS (default true). */
  tls?: boolean;
  /** user → password; stored as SCRAM verifiers only. Default analyst/analyst. */
  users?: Record<string, string>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { auth = 'scram-sha-256', tls = true, users = { analyst: 'analyst' }, ...rest } = options;
  const dir = await mkdtemp(join(tmpdir(), 'c2d-test-server-'));
  const instance = await DuckDBInstance.create(':memory:');
  const engine = await createLocalEngine({ instance, database: 'c2d', productVersion: 'test' });
  const verifiers = new Map(Object.entries(users).map(([user, password]) => [user, createScramVerifier(password)]));
  const material = await loadOrCreateTlsCertificate({ dir, hosts: ['127.0.0.1', 'localhost'] });
  const server = createPgServer({
    ...rest,
    engine,
    auth: { method: auth, lookupVerifier: async (user) => verifiers.get(user) ?? null },
    tls: tls ? material : null,
    logger: rest.logger ?? pino({ level: process.env.C2D_TEST_LOG ?? 'silent' }),
  });
  const address = await server.listen(0, '127.0.0.1');
  return {
    host: '127.0.0.1',
    port: address.port,
    server,
    tls: material,
    async stop() {
      await server.close({ gracefulMs: 1000 });
      instance.closeSync();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
