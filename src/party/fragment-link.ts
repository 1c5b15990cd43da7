/**
 * The fragment link: how the gateway runs a fragment at a party and reads its rows. A
 * mutual-TLS socket (certificates from the federation CA, TLS 1.3) carries length-prefixed
 * frames: the gateway sends one request, the party answers with the result messages of
 * wire-format.ts (header, batches, end) or an error, and the socket is then ready for the
 * next request. Written by hand rather than as a gRPC stream: one exchange over grpc-js
 * costs 3-4× a bare TLS socket's round trip here (bench/federation/hop), and most
 * federated queries are a few small exchanges.
 *
 * Liveness: while a fragment runs, the party sends a heartbeat frame whenever it has sent
 * nothing for HEARTBEAT_MS, so a gateway that hears nothing for SILENCE_MS knows the
 * party process is stopped or gone (08006) without mistaking a busy engine for a dead one.
 * Closing the socket mid-result is the gateway's cancel: the party stops the engine.
 */
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { PgError, toPgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { IssuedCertificate } from './certs.js';
import { decodeJson, encodeJson, MAX_MESSAGE_BYTES, RESULT_END as END } from './wire-format.js';

/** Frame kinds beyond wire-format's result messages ('H', 'B', 'E'). */
const REQUEST = 0x51; // 'Q'
const ERROR = 0x58; // 'X'
const HEARTBEAT = 0x4b; // 'K'

export const HEARTBEAT_MS = 2000;
export const SILENCE_MS = 8000;
/**
 * Connections per party (each carries one fragment at a time; more queries wait for one
 * to come free, as with any connection pool), and how long an idle one is reused.
 */
const MAX_LINKS = 16;
const MAX_IDLE_MS = 30_000;

/** A frame: its 4-byte big-endian length, then the payload (kind byte first). */
export function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}

/** Splits a byte stream into frame payloads; a frame that claims too much is an error. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Adds bytes; returns the payloads they complete. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    while (this.buffered >= 4) {
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.flatten();
      const length = head.readUInt32BE(0);
      if (length === 0 || length > MAX_MESSAGE_BYTES) throw new PgError(SqlState.protocolViolation, 'malformed frame on a fragment link');
      if (this.buffered < 4 + length) break;
      const all = this.flatten();
      out.push(all.subarray(4, 4 + length));
      const rest = all.subarray(4 + length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return out;
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }
}

function tlsOptions(tls: IssuedCertificate) {
  return { key: tls.key, cert: tls.cert, ca: tls.ca, minVersion: 'TLSv1.3' as const };
}

function errorFrame(error: unknown): Buffer {
  const e = toPgError(error);
  return frame(Buffer.concat([Buffer.of(ERROR), encodeJson({ code: e.code, message: e.message, detail: e.detail, hint: e.hint })]));
}

/** What the party does with one request: writes result messages, resolves when done. */
export type ServeFragment = (request: unknown, signal: AbortSignal, out: { write(message: Buffer): boolean; drained(): Promise<void> }) => Promise<void>;

/** The party's end: accepts the gateway's connections and serves one request at a time on each. */
export async function listenFragmentLink(options: {
  tls: IssuedCertificate;
  host: string;
  port: number;
  /** Certificate common names allowed to connect. */
  allowed: ReadonlySet<string>;
  serve: ServeFragment;
  onError(error: unknown): void;
  /** How often a running fragment's link hears from the party (default HEARTBEAT_MS). */
  heartbeatMs?: number;
}): Promise<{ port: number; close(): void }> {
  const sockets = new Set<TLSSocket>();
  const server: Server = createServer({ ...tlsOptions(options.tls), requestCert: true, rejectUnauthorized: true }, (socket) => {
    const cn = socket.getPeerCertificate().subject?.CN;
    if (typeof cn !== 'string' || !options.allowed.has(cn)) {
      socket.on('error', () => {});
      socket.end(errorFrame(new PgError(SqlState.insufficientPrivilege, `peer "${String(cn ?? 'unknown')}" may not query this party`)));
      return;
    }
    socket.setNoDelay(true);
    sockets.add(socket);
    const reader = new FrameReader();
    let running: AbortController | null = null;
    const stop = (): void => {
      running?.abort();
      sockets.delete(socket);
    };
    socket.on('close', stop);
    socket.on('error', stop);
    socket.on('data', (chunk: Buffer) => {
      let payloads: Buffer[];
      try {
        payloads = reader.push(chunk);
      } catch (error) {
        socket.destroy(error as Error);
        return;
      }
      for (const payload of payloads) {
        // One request at a time: anything else from the gateway breaks the link.
        if (running || payload[0] !== REQUEST) {
          socket.destroy();
          return;
        }
        running = new AbortController();
        void serveOne(socket, payload.subarray(1), running, options).finally(() => {
          running = null;
        });
      }
    });
  });
  server.on('tlsClientError', () => {}); // a stranger's failed handshake concerns nobody else
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      // Once listening, a failed accept (out of file descriptors) is logged; the node lives.
      server.on('error', (error) => options.onError(error));
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

async function serveOne(
  socket: TLSSocket,
  body: Buffer,
  controller: AbortController,
  options: { serve: ServeFragment; onError(error: unknown): void; heartbeatMs?: number },
): Promise<void> {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  let lastWrite = Date.now();
  const write = (message: Buffer): boolean => {
    lastWrite = Date.now();
    // The messages of one turn of the event loop (a small result's header, batch and end)
    // leave in one TLS record and one read at the gateway, not one each.
    if (!socket.writableCorked) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    return socket.write(frame(message));
  };
  const heartbeat = setInterval(() => {
    if (Date.now() - lastWrite >= heartbeatMs) write(Buffer.of(HEARTBEAT));
  }, heartbeatMs / 2);
  try {
    await options.serve(decodeJson(body), controller.signal, {
      write,
      drained: () =>
        new Promise((resolve, reject) => {
          // The buffer may have drained already, while the caller was reading its next batch.
          if (!socket.writableNeedDrain) return resolve();
          const abort = (): void => {
            socket.off('drain', drain);
            reject(controller.signal.reason);
          };
          const drain = (): void => {
            controller.signal.removeEventListener('abort', abort);
            resolve();
          };
          socket.once('drain', drain);
          controller.signal.addEventListener('abort', abort, { once: true });
        }),
    });
  } catch (error) {
    if (controller.signal.aborted) return;
    options.onError(error);
    socket.write(errorFrame(error));
  } finally {
    clearInterval(heartbeat);
  }
}

/** A result being read on a link: its frames one by one, with the link's timeouts. */
export interface LinkCall {
  /** The next result message (heartbeats are consumed here); the party's error is thrown as a PgError. */
  next(): Promise<Buffer>;
  /**
   * Done with the link: back to the pool when the party's last message (the end, or an
   * error) was read, else closed, which stops the fragment at the party.
   */
  release(): void;
}

/** The gateway's end for one party: idle connections kept for the next fragment. */
export class FragmentLinkPool {
  /** Every connection this pool has open, idle or in use. */
  private readonly open = new Set<TLSSocket>();
  private connecting = 0;
  /** Idle connections, each with the listener that drops it if the party closes it, and when it was last used. */
  private readonly idle = new Map<TLSSocket, { onClose: () => void; since: number }>();
  /** Calls waiting for a connection while MAX_LINKS are open. */
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly options: {
      party: string;
      tls: IssuedCertificate;
      connectTimeoutMs: number;
      /** How long the engine may compute without sending a row (heartbeats do not count). */
      idleTimeoutMs: number;
      /** How long the party may send nothing at all, heartbeats included (default SILENCE_MS). */
      silenceMs?: number;
    },
  ) {}

  /**
   * Sends `request` to the party at host:port on an idle connection, a new one, or, with
   * MAX_LINKS open, the first to come free; the caller reads the answer with `next`.
   */
  async call(host: string, port: number, request: unknown, signal?: AbortSignal): Promise<LinkCall> {
    for (;;) {
      if (signal?.aborted) throw new PgError(SqlState.queryCanceled, 'canceling statement due to user request');
      const idle = this.takeIdle();
      if (idle) return this.start(idle, request);
      if (this.open.size + this.connecting < MAX_LINKS) {
        this.connecting++;
        let socket: TLSSocket;
        try {
          socket = await this.connect(host, port);
        } catch (error) {
          this.wakeOne();
          throw error;
        } finally {
          this.connecting--;
        }
        this.open.add(socket);
        return this.start(socket, request);
      }
      await this.turn(signal);
    }
  }

  /** Connections kept for the next fragment. */
  get idleConnections(): number {
    return this.idle.size;
  }

  close(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    this.idle.clear();
  }

  private takeIdle(): TLSSocket | null {
    for (const [socket, { onClose, since }] of this.idle) {
      this.idle.delete(socket);
      socket.off('close', onClose);
      // A connection idle for long may have been dropped on the way without either end
      // hearing of it (a NAT, a firewall): it is not trusted with a query.
      if (Date.now() - since <= MAX_IDLE_MS) return socket;
      this.drop(socket);
    }
    return null;
  }

  private keep(socket: TLSSocket): void {
    const onClose = (): void => {
      this.idle.delete(socket);
      this.drop(socket);
    };
    socket.once('close', onClose);
    this.idle.set(socket, { onClose, since: Date.now() });
    this.wakeOne();
  }

  /** A connection is gone: one waiting call may open another. */
  private drop(socket: TLSSocket): void {
    socket.destroy();
    if (this.open.delete(socket)) this.wakeOne();
  }

  private wakeOne(): void {
    this.waiting.shift()?.();
  }

  private turn(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      const abort = (): void => {
        const at = this.waiting.indexOf(wake);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(new PgError(SqlState.queryCanceled, 'canceling statement due to user request'));
      };
      this.waiting.push(wake);
      signal?.addEventListener('abort', abort, { once: true });
    });
  }

  private connect(host: string, port: number): Promise<TLSSocket> {
    const party = this.options.party;
    return new Promise((resolve, reject) => {
      const socket = connect({
        ...tlsOptions(this.options.tls),
        host,
        port,
        servername: party,
        // The party's certificate names the party, not the address it is reached at.
        checkServerIdentity: (_host, cert) => (cert.subject?.CN === party ? undefined : new Error(`the certificate at ${host}:${port} is not party "${party}"'s`)),
      });
      const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.on('error', () => {}); // 'close' follows, and is what the call listens for
        socket.setNoDelay(true);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new PgError(SqlState.fdwUnableToEstablishConnection, `party "${party}" at ${host}:${port} is unreachable`, { detail: error.message }));
      });
    });
  }

  private start(socket: TLSSocket, request: unknown): LinkCall {
    const party = this.options.party;
    const reader = new FrameReader();
    const ready: Buffer[] = [];
    let failure: PgError | null = null;
    /** The party's last message (the end, or an error) was read: the link is free again. */
    let finished = false;
    let wake: (() => void) | null = null;
    let heard = Date.now();
    let released = false;
    const fail = (error: PgError): void => {
      failure ??= error;
      wake?.();
    };
    const onData = (chunk: Buffer): void => {
      heard = Date.now();
      try {
        for (const payload of reader.push(chunk)) if (payload[0] !== HEARTBEAT) ready.push(payload);
      } catch (error) {
        fail(toPgError(error));
      }
      wake?.();
    };
    const onClose = (): void =>
      fail(
        new PgError(SqlState.connectionFailure, `party "${party}" stopped answering; the query was stopped`, {
          detail: 'The party closed the link.',
          hint: 'The party may be down, stopped or restarting; no partial result was returned.',
        }),
      );
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(frame(Buffer.concat([Buffer.of(REQUEST), encodeJson(request)])));
    const timedOut = (message: string): PgError =>
      new PgError(SqlState.connectionFailure, message, { hint: 'The party may be down, stopped or overloaded; no partial result was returned.' });
    const silenceMs = this.options.silenceMs ?? SILENCE_MS;
    return {
      next: async () => {
        const since = Date.now();
        while (ready.length === 0 && !failure) {
          const now = Date.now();
          if (now - heard >= silenceMs) fail(timedOut(`party "${party}" stopped answering; the query was stopped`));
          else if (now - since >= this.options.idleTimeoutMs) fail(timedOut(`party "${party}" sent nothing for ${Math.round(this.options.idleTimeoutMs / 1000)} s; the query was stopped`));
          else {
            const wait = Math.min(silenceMs - (now - heard), this.options.idleTimeoutMs - (now - since));
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, wait);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = null;
          }
        }
        const payload = ready.shift();
        if (!payload) throw failure!;
        if (payload[0] === END) finished = true;
        if (payload[0] === ERROR) {
          finished = true;
          const e = decodeJson<{ code?: unknown; message?: unknown; detail?: unknown; hint?: unknown }>(payload.subarray(1));
          const code = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? (e.code as SqlState) : SqlState.fdwError;
          throw new PgError(code, typeof e.message === 'string' ? e.message : `party "${party}" failed`, {
            ...(typeof e.detail === 'string' ? { detail: e.detail } : {}),
            ...(typeof e.hint === 'string' ? { hint: e.hint } : {}),
          });
        }
        return payload;
      },
      release: () => {
        if (released) return;
        released = true;
        socket.off('data', onData);
        socket.off('close', onClose);
        if (finished && !failure && ready.length === 0 && !socket.destroyed) return this.keep(socket);
        // Closing mid-result stops the fragment at the party; a read still waiting ends here.
        fail(new PgError(SqlState.queryCanceled, 'canceling statement due to user request'));
        this.drop(socket);
      },
    };
  }
}
