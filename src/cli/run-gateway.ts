/**
 * Starts a gateway: the wire server over an engine, with TLS and users from a data
 * directory. Used by `c2d demo` and `c2d gateway`.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { AddressInfo } from 'node:net';
import type { Engine } from '../server/engine.js';
import { createPgServer, type PgServer } from '../server/pg-server.js';
import { loadOrCreateTlsCertificate } from '../server/tls-certificate.js';
import { UserStore } from './user-store.js';

export interface GatewayOptions {
  engine: Engine;
  dataDir: string;
  host: string;
  port: number;
  /** Refuse connections without TLS, except plain ones on loopback when allowed. */
  requireTls: boolean;
  allowPlainOnLoopback: boolean;
  /** 'trust' is for local development only. */
  auth: 'scram-sha-256' | 'trust';
  tlsKeyFile?: string;
  tlsCertFile?: string;
  logger: Logger;
}

export interface RunningGateway {
  server: PgServer;
  address: AddressInfo;
  users: UserStore;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  await mkdir(options.dataDir, { recursive: true });
  const users = await UserStore.open(join(options.dataDir, 'users.json'));
  const tls = await loadOrCreateTlsCertificate({
    dir: options.dataDir,
    keyFile: options.tlsKeyFile,
    certFile: options.tlsCertFile,
    hosts: [options.host, 'localhost', '127.0.0.1'],
  });
  const server = createPgServer({
    engine: options.engine,
    auth: {
      method: options.auth,
      lookupVerifier: async (user: string) => users.verifier(user),
    },
    tls,
    requireTls: options.requireTls,
    allowPlainOnLoopback: options.allowPlainOnLoopback,
    logger: options.logger,
  });
  const address = await server.listen(options.port, options.host);
  return {
    server,
    address,
    users,
    close: () => server.close({ gracefulMs: 10_000 }),
  };
}
