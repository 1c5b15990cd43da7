/**
 * A minimal PostgreSQL protocol client over a raw socket, for what the drivers hide:
 * exact binary result bytes, hand-built or deliberately broken messages, pipelines. It
 * speaks only what the tests need: trust or no authentication, and message framing.
 */
import { connect, type Socket } from 'node:net';
import { serialize } from 'pg-protocol';

export interface BackendMessage {
  type: string;
  body: Buffer;
}

export class RawClient {
  private buffer = Buffer.alloc(0);
  private readonly queue: BackendMessage[] = [];
  private waiter: (() => void) | null = null;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 5) {
        const length = this.buffer.readInt32BE(1);
        if (this.buffer.length < 1 + length) break;
        this.queue.push({ type: String.fromCharCode(this.buffer[0]!), body: this.buffer.subarray(5, 1 + length) });
        this.buffer = this.buffer.subarray(1 + length);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connects and completes start-up with trust authentication, up to ReadyForQuery. */
  static async startup(port: number, user = 'analyst', database = 'c2d'): Promise<RawClient> {
    const client = await RawClient.connect(port);
    client.write(serialize.startup({ user, database }));
    await client.until('Z');
    return client;
  }

  /** Sends a CancelRequest for backend `pid` on a fresh connection, and waits for the server to close it. */
  static async cancel(port: number, pid: number, secret: number): Promise<void> {
    const c = await RawClient.connect(port);
    const message = Buffer.alloc(16);
    message.writeInt32BE(16, 0);
    message.writeInt32BE(80877102, 4);
    message.writeInt32BE(pid, 8);
    message.writeInt32BE(secret, 12);
    c.write(message);
    await c.drain();
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** The next message, or null once the server closed the connection. */
  async next(timeoutMs = 10_000): Promise<BackendMessage | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.closed) return null;
      if (Date.now() > deadline) throw new Error('timed out waiting for the server');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.queue.shift()!;
  }

  /** All messages up to and including the first of `type`. */
  async until(type: string, timeoutMs = 10_000): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.next(timeoutMs);
      if (!m) throw new Error(`connection closed before "${type}"; got ${out.map((x) => x.type).join('')}`);
      out.push(m);
      if (m.type === type) return out;
    }
  }

  /** Everything until the server closes the connection. */
  async drain(timeoutMs = 10_000): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.next(timeoutMs);
      if (!m) return out;
      out.push(m);
    }
  }

  /** Extended query with binary parameters/results; returns each DataRow's raw column bytes. */
  async extended(sql: string, params: Array<Buffer | null>, paramFormat: 0 | 1, resultFormat: 0 | 1): Promise<Array<Array<Buffer | null>>> {
    this.write(serialize.parse({ text: sql }));
    const bind = bindMessage(params, paramFormat, resultFormat);
    this.write(bind);
    this.write(serialize.execute({}));
    this.write(serialize.sync());
    const messages = await this.until('Z');
    const error = messages.find((m) => m.type === 'E');
    if (error) throw new Error(errorFields(error.body).M ?? 'error');
    return messages.filter((m) => m.type === 'D').map((m) => dataRow(m.body));
  }

  end(): void {
    if (!this.closed) this.socket.end(serialize.end());
  }
}

/** Bind with one format code for all parameters and one for all results. */
export function bindMessage(params: Array<Buffer | null>, paramFormat: 0 | 1, resultFormat: 0 | 1, portal = '', statement = ''): Buffer {
  const parts: Buffer[] = [Buffer.from(`${portal}\0${statement}\0`)];
  const head = Buffer.alloc(4);
  head.writeInt16BE(1, 0);
  head.writeInt16BE(paramFormat, 2);
  parts.push(head);
  const count = Buffer.alloc(2);
  count.writeInt16BE(params.length, 0);
  parts.push(count);
  for (const p of params) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(p === null ? -1 : p.length, 0);
    parts.push(len);
    if (p) parts.push(p);
  }
  const tail = Buffer.alloc(4);
  tail.writeInt16BE(1, 0);
  tail.writeInt16BE(resultFormat, 2);
  parts.push(tail);
  return frame('B', Buffer.concat(parts));
}

export function frame(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

export function dataRow(body: Buffer): Array<Buffer | null> {
  const n = body.readInt16BE(0);
  let offset = 2;
  const out: Array<Buffer | null> = [];
  for (let i = 0; i < n; i++) {
    const len = body.readInt32BE(offset);
    offset += 4;
    if (len < 0) out.push(null);
    else {
      out.push(body.subarray(offset, offset + len));
      offset += len;
    }
  }
  return out;
}

/** ErrorResponse/NoticeResponse fields by their one-letter codes. */
export function errorFields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const code = String.fromCharCode(body[offset]!);
    const end = body.indexOf(0, offset + 1);
    out[code] = body.subarray(offset + 1, end).toString('utf8');
    offset = end + 1;
  }
  return out;
}
