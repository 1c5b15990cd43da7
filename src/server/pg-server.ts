/**
 * The listening server: accepts connections, runs each as a PgConnection, routes
 * CancelRequests to the right backend, and shuts down gracefully.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Engine } from './engine.js';
import { PgConnection, type AuthConfig, type ConnectionContext } from './connection.js';

export interface PgServerOptions {
  engine: Engine;
  auth: AuthConfig;
  /** PEM key and certificate; without them SSLRequest is answered 'N'. */
  tls?: { key: string | Buffer; cert: string | Buffer } | null;
  /** Refuse unencrypted connections (FATAL 28000). */
  requireTls?: boolean;
  /** With requireTls, still let plain connections in from loopback. */
  allowPlainOnLoopback?: boolean;
  /** Largest message accepted, in bytes (default 64 MiB); larger lengths end the connection. */
  maxMessageLength?: number;
  logger: Logger;
}

export interface PgServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting; running queries get up to `gracefulMs` to finish, then FATAL 57P01. */
  close(options?: { gracefulMs?: number }): Promise<void>;
  readonly connectionCount: number;
}

export function createPgServer(options: PgServerOptions): PgServer {
  const connections = new Set<PgConnection>();
  const byPid = new Map<number, PgConnection>();
  const secret4 = Buffer.alloc(4);
  const context: ConnectionContext = {
    engine: options.engine,
    auth: options.auth,
    tls: options.tls ? createSecureContext({ key: options.tls.key, cert: options.tls.cert }) : null,
    requireTls: options.requireTls ?? false,
    allowPlainOnLoopback: options.allowPlainOnLoopback ?? false,
    maxMessageLength: options.maxMessageLength ?? 64 * 1024 * 1024,
    logger: options.logger,
    mockSecret: randomBytes(32),
    register: (c) => byPid.set(c.pid, c),
    unregister: (c) => {
      if (byPid.get(c.pid) === c) byPid.delete(c.pid);
    },
    cancel: (pid, secret) => {
      const target = byPid.get(pid);
      if (!target) return;
      const expected = Buffer.alloc(4);
      expected.writeInt32BE(target.secret, 0);
      secret4.writeInt32BE(secret, 0);
      // Constant-time, and silent on a mismatch, as PostgreSQL is.
      if (timingSafeEqual(expected, secret4)) target.cancel();
    },
  };
  let closing = false;
  const server: Server = createServer({ noDelay: true }, (socket: Socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    socket.setKeepAlive(true, 60_000);
    const connection = new PgConnection(socket, context);
    connections.add(connection);
    void connection.run().finally(() => connections.delete(connection));
  });
  server.on('error', (error) => options.logger.error({ err: error }, 'server error'));

  return {
    get connectionCount() {
      return connections.size;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close({ gracefulMs = 10_000 } = {}) {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const all = [...connections];
      await Promise.race([
        Promise.all(all.map((c) => c.whenIdle())),
        new Promise((resolve) => setTimeout(resolve, gracefulMs).unref()),
      ]);
      await Promise.all(all.map((c) => c.terminate().catch(() => {})));
      await stopped;
    },
  };
}
