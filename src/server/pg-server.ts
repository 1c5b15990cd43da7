/**
 * The listening server: accepts connections, runs each as a PgConnection, routes
 * CancelRequests to their backend, and shuts down gracefully.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Engine } from './engine.js';
import type { AuthConfig } from './auth/auth-config.js';
import { PgConnection, type ConnectionContext } from './connection.js';

export type { AuthConfig } from './auth/auth-config.js';

export interface PgServerOptions {
  engine: Engine;
  auth: AuthConfig;
  /** PEM key and certificate; without them SSLRequest is answered 'N'. */
  tls?: { key: string | Buffer; cert: string | Buffer } | null;
  /** Refuse unencrypted connections (FATAL 28000 "SSL required"). */
  requireTls?: boolean;
  /** With requireTls, still let plain connections in from loopback addresses. */
  allowPlainOnLoopback?: boolean;
  /** Largest message accepted, in bytes (default 64 MiB); a longer one ends the connection. */
  maxMessageLength?: number;
  /** Start-up and authentication must finish within this (default 60 s, PostgreSQL's authentication_timeout). */
  authenticationTimeoutMs?: number;
  logger: Logger;
}

export interface PgServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  /**
   * Stops accepting; idle sessions end at once, running ones when their statement is done
   * or after `gracefulMs` (default 10 s), each with FATAL 57P01.
   */
  close(options?: { gracefulMs?: number }): Promise<void>;
  /** Open client connections (including those still in start-up). */
  readonly connectionCount: number;
}

/** How long close() waits for connections to release their sessions after FATAL 57P01. */
const RELEASE_WAIT_MS = 5000;

export function createPgServer(options: PgServerOptions): PgServer {
  const connections = new Set<PgConnection>();
  const byPid = new Map<number, PgConnection>();
  const pids = new Set<number>();
  const context: ConnectionContext = {
    engine: options.engine,
    auth: options.auth,
    tls: options.tls ? createSecureContext({ key: options.tls.key, cert: options.tls.cert }) : null,
    requireTls: options.requireTls ?? false,
    allowPlainOnLoopback: options.allowPlainOnLoopback ?? false,
    maxMessageLength: options.maxMessageLength ?? 64 * 1024 * 1024,
    authenticationTimeoutMs: options.authenticationTimeoutMs ?? 60_000,
    logger: options.logger,
    mockSecret: randomBytes(32),
    allocatePid() {
      for (;;) {
        const pid = randomInt(1, 0x7fffffff);
        if (pids.has(pid)) continue;
        pids.add(pid);
        return pid;
      }
    },
    isShuttingDown: () => closing,
    register: (c) => byPid.set(c.pid, c),
    unregister: (c) => {
      if (byPid.get(c.pid) === c) byPid.delete(c.pid);
    },
    cancel(pid, secret) {
      const target = byPid.get(pid);
      if (!target) return;
      const expected = Buffer.alloc(4);
      expected.writeInt32BE(target.secret, 0);
      const given = Buffer.alloc(4);
      given.writeInt32BE(secret, 0);
      // Constant-time, and silent on a mismatch, as PostgreSQL is.
      if (timingSafeEqual(expected, given)) target.cancel();
    },
  };
  let closing = false;
  const server: Server = createServer({ noDelay: true }, (socket: Socket) => {
    socket.setKeepAlive(true, 60_000);
    const connection = new PgConnection(socket, context);
    connections.add(connection);
    void connection.run().finally(() => {
      connections.delete(connection);
      pids.delete(connection.pid);
    });
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
      // Still listening during the grace period, as PostgreSQL does: new sessions are
      // refused with 57P03, but a CancelRequest for a running query is served.
      closing = true;
      // Each session ends as soon as it is idle; the rest when the grace period is over.
      await within(
        gracefulMs,
        Promise.all([...connections].map((c) => c.whenIdle().then(() => c.terminate()))),
      );
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...connections].map((c) => c.terminate().catch(() => {})));
      await within(RELEASE_WAIT_MS, Promise.all([...connections].map((c) => c.whenFinished())));
      await stopped;
    },
  };
}

function within(ms: number, promise: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
