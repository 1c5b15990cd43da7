import type { OnReadOpts } from 'node:net';
import { connect, createServer, type ConnectionOptions, type Server, type TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { decodeFrame, encodeFrameHeader, MAX_FRAME_PAYLOAD, type Frame } from './frame.js';
import { PARTY_INDICES, type PartyIndex } from './party-index.js';
import type { Transport, TransportListener } from './transport.js';

/** Where a compute party listens, and the name its certificate carries. */
export interface PeerAddress {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface TlsTransportOptions {
  readonly self: PartyIndex;
  /** All three parties, by index (this party's own entry gives its listening address). */
  readonly parties: readonly [PeerAddress, PeerAddress, PeerAddress];
  /** PEM: this party's key and certificate, and the federation CA (`c2d certs`). */
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
  /** How long to keep dialling a peer that is not up yet. */
  readonly connectTimeoutMs?: number;
  /** For benchmarks: hold every incoming frame this long (one-way latency, as on a WAN). */
  readonly addedLatencyMs?: number;
  /** TLS 1.3 cipher suites (names starting TLS_, colon-separated), in order of preference (DEFAULT_CIPHERS when absent). */
  readonly ciphers?: string;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * TLS 1.3 suites offered, in order: AES-128-GCM first (with AES-NI the cheapest per
 * byte here; Node's default puts AES-256-GCM first), the others still accepted.
 */
export const DEFAULT_CIPHERS = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';
const RETRY_MS = 100;

/** Bytes of the buffer each incoming link decrypts into (reused for the link's life). */
const RECEIVE_BUFFER_BYTES = 256 * 1024;
/** How long closing waits for queued frames to be written, and then for peers to close. */
const CLOSE_GRACE_MS = 1000;
/** Most bytes of recycled frame memory kept for later frames. */
const MAX_RECYCLED_BYTES = 256 * 1024 * 1024;

/**
 * Party-to-party links over TCP with mutual TLS: two connections per pair, one per
 * direction. Each party dials every peer for what that peer sends it (peers of higher
 * index at once, of lower index once they have dialled it), and sends to a peer on the
 * connection the peer dialled: so every party listens, and the receiving end of each
 * connection is its TLS client, which lets Node decrypt into one reused buffer
 * (`onread`) instead of a fresh Buffer per 16 KiB record (a third of the receiving CPU
 * on loopback). Both ends of every connection are checked against the federation CA and
 * against the name expected for that peer (a certificate for another party of the same
 * federation is refused). Frames are length-prefixed (frame.ts) and written one at a
 * time per link; `send` resolves once the frame is written to the connection, which is
 * the backpressure. A broken link (either connection) is reported to the listener
 * once, as `peerFailed`; the exchange turns that into an abort of every open
 * computation.
 */
export class TlsTransport implements Transport {
  readonly self: PartyIndex;
  /** A frame's payload is encrypted by the time its write completes, which `send` waits for. */
  readonly doneWithPayloadOnSend = true;
  private readonly options: TlsTransportOptions;
  /** Where this party sends to each peer: the connection that peer dialled. */
  private readonly sockets = new Map<PartyIndex, Promise<TLSSocket>>();
  /** Where this party reads from each peer: the connection it dialled. */
  private readonly incoming = new Map<PartyIndex, Promise<TLSSocket>>();
  private readonly resolveAccepted = new Map<PartyIndex, (socket: TLSSocket) => void>();
  private readonly failed = new Set<PartyIndex>();
  /** Frame memory given back (`recycle`), by size, for frames of the same size. */
  private readonly recycled = new Map<number, ArrayBuffer[]>();
  private recycledBytes = 0;
  /** Frame memory delivered and not given back: only that may be recycled, once. */
  private readonly delivered = new WeakSet<ArrayBuffer>();
  /** Per peer, the last frame handed to its link: the next one waits for it. */
  private readonly sending = new Map<PartyIndex, Promise<void>>();
  private listener: TransportListener | null = null;
  private readonly early: Frame[] = [];
  private readonly earlyFailures: [PartyIndex, Error][] = [];
  private server: Server | null = null;
  private closing = false;

  private constructor(options: TlsTransportOptions) {
    this.options = options;
    this.self = options.self;
  }

  /** Listens for the peers and dials the higher ones; resolves once listening (links come up in the background). */
  static async open(options: TlsTransportOptions): Promise<TlsTransport> {
    const transport = new TlsTransport(options);
    await transport.start();
    return transport;
  }

  private async start(): Promise<void> {
    const { self, parties } = this.options;
    const server = createServer(
      { key: this.options.key, cert: this.options.cert, ca: this.options.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3', ciphers: this.options.ciphers ?? DEFAULT_CIPHERS },
      (socket) => this.accepted(socket),
    );
    server.on('tlsClientError', () => {
      // A client without a federation certificate: refused by TLS, nothing to do.
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(parties[self].port, parties[self].host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    for (const peer of PARTY_INDICES) {
      if (peer === self) continue;
      const accepted = new Promise<TLSSocket>((resolve, reject) => {
        this.resolveAccepted.set(peer, resolve);
        // A peer that never connects (or is refused) fails the link, not a send forever.
        const timer = setTimeout(() => {
          if (!this.resolveAccepted.delete(peer)) return;
          const error = new PgError(SqlState.connectionFailure, `party ${peer} (${parties[peer].name}) did not connect within ${this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS} ms`);
          reject(error);
          this.linkFailed(peer, error);
        }, this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
        timer.unref();
      });
      accepted.catch(() => {});
      this.sockets.set(peer, accepted);
      // A higher index is dialled now; a lower one once it has dialled this party, so
      // that no dial reaches a listener left over from an earlier mesh on its port
      // (parties are set up from the highest index down, see secure-mpc.ts).
      if (peer > self) this.dialIncoming(peer);
    }
  }

  private dialIncoming(peer: PartyIndex): void {
    const dialled = this.dial(peer);
    dialled.catch((error: unknown) => this.linkFailed(peer, error));
    this.incoming.set(peer, dialled);
  }

  /** Memory for a frame of `bytes`: recycled if some of that size was given back. */
  private frameMemory(bytes: number): ArrayBuffer {
    const reused = this.recycled.get(bytes)?.pop();
    if (reused) {
      this.recycledBytes -= bytes;
      return reused;
    }
    // Unpooled, so its ArrayBuffer is exactly this frame's; unzeroed, since every byte is
    // overwritten from the stream before the frame is delivered.
    return Buffer.allocUnsafeSlow(bytes).buffer;
  }

  recycle(payload: Uint8Array): void {
    const memory = payload.buffer as ArrayBuffer;
    if (!this.delivered.has(memory)) return;
    this.delivered.delete(memory);
    if (this.recycledBytes + memory.byteLength > MAX_RECYCLED_BYTES) return;
    this.recycledBytes += memory.byteLength;
    const list = this.recycled.get(memory.byteLength);
    if (list) list.push(memory);
    else this.recycled.set(memory.byteLength, [memory]);
  }

  /** The port this party listens on (useful with port 0). */
  get port(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  listen(listener: TransportListener): void {
    this.listener = listener;
    for (const frame of this.early.splice(0)) listener.frame(frame);
    for (const [peer, error] of this.earlyFailures.splice(0)) listener.peerFailed(peer, error);
  }

  async send(to: PartyIndex, frame: Frame): Promise<void> {
    if (to === this.self) throw new PgError(SqlState.internalError, `party ${this.self} sent a frame to itself`);
    if (this.failed.has(to)) throw new PgError(SqlState.connectionFailure, `link from party ${this.self} to party ${to} is down`);
    const link = this.sockets.get(to)!;
    const header = encodeFrameHeader(frame);
    // One frame at a time per link, each handed to the socket once the one before is
    // written: writes queued behind a pending one are joined by the stream into a
    // multi-buffer write, which TLS copies into one fresh buffer before encrypting (for
    // frames of several lanes at once, a fresh allocation and a memcpy per byte). The
    // frame joins the queue before anything is awaited, so that a `close` right after
    // (an abort frame, then the process ends) waits for it too.
    const written = (this.sending.get(to) ?? Promise.resolve()).then(async () => this.write(await link, to, header, frame.payload));
    this.sending.set(to, written.catch(() => {}));
    await written;
  }

  /**
   * Header and payload as two writes (a corked pair would be joined and copied as
   * above); the payload is encrypted from the caller's buffer, which it gave up.
   * Resolves once the payload is written to the connection: that is the backpressure.
   */
  private write(socket: TLSSocket, to: PartyIndex, header: Uint8Array, payload: Uint8Array): Promise<void> {
    if (this.failed.has(to)) return Promise.reject(new PgError(SqlState.connectionFailure, `link from party ${this.self} to party ${to} is down`));
    return new Promise<void>((resolve, reject) => {
      const onClose = (): void => reject(new PgError(SqlState.connectionFailure, `link to party ${to} closed`));
      socket.once('close', onClose);
      socket.write(header);
      socket.write(payload, (error) => {
        socket.off('close', onClose);
        if (error) reject(new PgError(SqlState.connectionFailure, `link to party ${to}: ${error.message}`));
        else resolve();
      });
    });
  }

  /**
   * Ends every connection once the frames already handed to it are written (an abort
   * frame queued behind a large message must still reach its peer), waiting at most
   * CLOSE_GRACE_MS for that and as long again for the peer to close its end. The
   * connection this party reads a peer from is ended only after the one it writes to
   * that peer has closed: two connections keep no order between them, and a peer that
   * saw its other link drop first would report a lost party instead of the abort's
   * reason. Resolves once every connection and the listener are closed.
   */
  async close(): Promise<void> {
    this.closing = true;
    const ended: Promise<void>[] = PARTY_INDICES.filter((peer) => peer !== this.self).map(async (peer) => {
      const writes = this.sockets.get(peer);
      if (writes) await this.endAfter(writes, this.sending.get(peer) ?? Promise.resolve());
      const reads = this.incoming.get(peer);
      if (reads) await this.endAfter(reads, Promise.resolve());
    });
    const server = this.server;
    if (server) ended.push(new Promise<void>((resolve) => server.close(() => resolve())));
    await Promise.all(ended);
  }

  /** Ends `link` once `flushed` (or the grace is up) and resolves when it has closed (destroyed after another grace). */
  private async endAfter(link: Promise<TLSSocket>, flushed: Promise<void>): Promise<void> {
    // Unreferenced timers: a close waiting out a stalled peer keeps no process alive.
    const graceOver = (): Promise<void> => sleep(CLOSE_GRACE_MS, undefined, { ref: false });
    // A link still coming up (a peer that never dialled) is not waited for beyond the grace.
    const socket = await Promise.race([link.catch(() => null), graceOver().then(() => null)]);
    if (socket === null) {
      void link.then((late) => late.destroy(), () => {});
      return;
    }
    await Promise.race([flushed, graceOver()]);
    if (socket.closed) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.end();
    await Promise.race([closed, graceOver()]);
    socket.destroy();
  }

  /** Dials `peer` for what it sends this party; its frames are read straight from a reused buffer. */
  private async dial(peer: PartyIndex): Promise<TLSSocket> {
    const address = this.options.parties[peer];
    const deadline = Date.now() + (this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    const buffer = Buffer.allocUnsafe(RECEIVE_BUFFER_BYTES);
    for (;;) {
      try {
        const socket = await new Promise<TLSSocket>((resolve, reject) => {
          const read = this.reader(peer, () => s);
          // Node takes `onread` for a TLS socket it dials itself (@types/node omits it).
          const options: ConnectionOptions & { onread: OnReadOpts } = {
            host: address.host,
            port: address.port,
            key: this.options.key,
            cert: this.options.cert,
            ca: this.options.ca,
            servername: address.name,
            minVersion: 'TLSv1.3',
            ciphers: this.options.ciphers ?? DEFAULT_CIPHERS,
            rejectUnauthorized: true,
            onread: {
              buffer,
              callback: (bytes: number, into: Uint8Array) => {
                read(into.subarray(0, bytes));
                return true; // false would pause the socket
              },
            },
          };
          const s = connect(options);
          s.once('secureConnect', () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        });
        socket.setNoDelay(true);
        this.watch(peer, socket);
        return socket;
      } catch (error) {
        const refused = (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
        if (!refused || Date.now() > deadline || this.closing) {
          throw new PgError(SqlState.connectionFailure, `cannot reach party ${peer} (${address.name}) at ${address.host}:${address.port}: ${(error as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  /** A peer's connection for what this party sends it; nothing may come back on it. */
  private accepted(socket: TLSSocket): void {
    const name = socket.getPeerCertificate().subject?.CN;
    const peer = PARTY_INDICES.find((p) => p !== this.self && this.options.parties[p].name === name);
    const resolve = peer === undefined ? undefined : this.resolveAccepted.get(peer);
    if (peer === undefined || resolve === undefined) {
      // Not a party of this computation, or a second connection from it.
      socket.destroy();
      return;
    }
    this.resolveAccepted.delete(peer);
    socket.setNoDelay(true);
    socket.on('data', () => {
      socket.destroy();
      this.linkFailed(peer, new PgError(SqlState.protocolViolation, `party ${peer} sent data on the connection it reads from`));
    });
    this.watch(peer, socket);
    resolve(socket);
    if (peer < this.self) this.dialIncoming(peer);
  }

  private watch(peer: PartyIndex, socket: TLSSocket): void {
    socket.on('error', (error) => this.linkFailed(peer, error));
    socket.on('close', () => this.linkFailed(peer, new Error('connection closed')));
  }

  /**
   * Reads frames from `peer`'s bytes, which arrive in a buffer reused for the next read:
   * each frame is copied into its own memory. Checks that each one claims to come from
   * that peer.
   */
  private reader(peer: PartyIndex, socket: () => TLSSocket): (data: Uint8Array) => void {
    // The length prefix, which may arrive split across reads.
    const header = new Uint8Array(4);
    let headerFilled = 0;
    let body: Uint8Array | null = null;
    let filled = 0;
    return (data) => {
      try {
        while (data.byteLength > 0) {
          if (body === null) {
            const take = Math.min(4 - headerFilled, data.byteLength);
            header.set(data.subarray(0, take), headerFilled);
            headerFilled += take;
            data = data.subarray(take);
            if (headerFilled < 4) break;
            const length = new DataView(header.buffer).getUint32(0);
            if (length > MAX_FRAME_PAYLOAD + 128) throw new PgError(SqlState.protocolViolation, `party ${peer} sent a frame of ${length} bytes`);
            // A plain Uint8Array over the frame's memory (a Buffer's slice() would not copy).
            body = new Uint8Array(this.frameMemory(4 + length));
            body.set(header);
            filled = 4;
            headerFilled = 0;
          }
          const take = Math.min(body.byteLength - filled, data.byteLength);
          body.set(data.subarray(0, take), filled);
          filled += take;
          data = data.subarray(take);
          if (filled === body.byteLength) {
            const decoded = decodeFrame(body);
            body = null;
            if (decoded === null) throw new PgError(SqlState.protocolViolation, `party ${peer} sent a truncated frame`);
            if (decoded.frame.from !== peer) throw new PgError(SqlState.protocolViolation, `party ${peer} sent a frame claiming to come from party ${decoded.frame.from}`);
            this.delivered.add(decoded.frame.payload.buffer as ArrayBuffer);
            this.deliver(decoded.frame);
          }
        }
      } catch (error) {
        socket().destroy();
        this.linkFailed(peer, error);
      }
    };
  }

  private deliver(frame: Frame): void {
    const delay = this.options.addedLatencyMs ?? 0;
    if (delay > 0) {
      // Equal delays keep the order: timers with the same timeout fire first in, first out.
      setTimeout(() => this.handOver(frame), delay);
      return;
    }
    this.handOver(frame);
  }

  private handOver(frame: Frame): void {
    if (this.listener) this.listener.frame(frame);
    else this.early.push(frame);
  }

  private linkFailed(peer: PartyIndex, error: unknown): void {
    if (this.failed.has(peer) || this.closing) return;
    this.failed.add(peer);
    const message = error instanceof Error ? error.message : String(error);
    const failure = new PgError(SqlState.connectionFailure, `link to party ${peer} (${this.options.parties[peer].name}) broke: ${message}`);
    if (this.listener) this.listener.peerFailed(peer, failure);
    else this.earlyFailures.push([peer, failure]);
  }
}
