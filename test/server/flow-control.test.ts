/**
 * Flow control both ways: a client that stops reading does not make the server buffer the
 * rest of a large result; large messages split over many reads arrive whole; a message
 * over the configured limit ends only its own connection; a client that vanishes
 * mid-result frees its session.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { RawClient, dataRow, errorFields } from '../support/raw-client.js';
import { startTestServer, type TestServer } from './server-fixture.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ auth: 'trust', tls: false, maxMessageLength: 8 * 1024 * 1024 });
});

afterAll(async () => {
  await server?.stop();
});

const MiB = 1024 * 1024;

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** A socket past start-up that counts DataRows without keeping them. */
async function countingClient(port: number): Promise<{ socket: Socket; rows: () => number; done: Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let pending: Buffer = Buffer.alloc(0);
  let rows = 0;
  let ready = 0;
  let resolveDone!: (tag: string) => void;
  const done = new Promise<string>((resolve) => (resolveDone = resolve));
  let startedResolve!: () => void;
  const started = new Promise<void>((resolve) => (startedResolve = resolve));
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let offset = 0;
    while (pending.length - offset >= 5) {
      const length = pending.readInt32BE(offset + 1);
      if (pending.length - offset < 1 + length) break;
      const type = String.fromCharCode(pending[offset]!);
      if (type === 'D') rows++;
      if (type === 'C') resolveDone(pending.subarray(offset + 5, offset + length).toString().replace(/\0$/, ''));
      if (type === 'Z' && ++ready === 1) startedResolve();
      offset += 1 + length;
    }
    pending = pending.subarray(offset);
  });
  socket.write(serialize.startup({ user: 'analyst', database: 'c2d' }));
  await started;
  return { socket, rows: () => rows, done };
}

describe('backpressure', () => {
  it('stops producing rows while the client does not read, and resumes when it does', async () => {
    const client = await countingClient(server.port);
    const rowCount = 200_000;
    // ~200 MB of DataRows: more than the server could hide in buffers if it ignored backpressure.
    client.socket.write(serialize.query(`SELECT i, repeat('x', 1000) AS filler FROM range(${rowCount}) t(i)`));
    await new Promise((r) => setTimeout(r, 300));
    client.socket.pause();
    const rss = process.memoryUsage().rss;
    await new Promise((r) => setTimeout(r, 1500));
    const grown = process.memoryUsage().rss - rss;
    const seenWhilePaused = client.rows();
    console.log(`backpressure: ${seenWhilePaused} of ${rowCount} rows read before the pause; RSS grew ${(grown / MiB).toFixed(1)} MiB while paused`);
    expect(seenWhilePaused).toBeLessThan(rowCount);
    // The server and this client share the process: together they must not have taken the result in.
    expect(grown).toBeLessThan(100 * MiB);
    client.socket.resume();
    expect(await client.done).toBe(`SELECT ${rowCount}`);
    expect(client.rows()).toBe(rowCount);
    client.socket.end(serialize.end());
  }, 60_000);

  it('frees the session of a client that disappears in the middle of a large result', async () => {
    await until(() => server.server.connectionCount === 0);
    const client = await countingClient(server.port);
    expect(server.server.connectionCount).toBe(1);
    client.socket.write(serialize.query(`SELECT i, repeat('y', 500) FROM range(1000000) t(i)`));
    await new Promise((r) => setTimeout(r, 200));
    client.socket.destroy();
    await until(() => server.server.connectionCount === 0);
    expect(server.server.connectionCount).toBe(0);
    // Others are unaffected.
    const c = new pg.Client({ host: server.host, port: server.port, database: 'c2d', user: 'analyst' });
    await c.connect();
    expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await c.end();
  });
});

describe('large messages', () => {
  it('accepts a 5 MB query that arrives in many reads', async () => {
    const c = await RawClient.startup(server.port);
    const literal = 'z'.repeat(5 * 1000 * 1000);
    const q = serialize.query(`SELECT length('${literal}') AS n`);
    for (let offset = 0; offset < q.length; offset += 64 * 1024) c.write(q.subarray(offset, offset + 64 * 1024));
    const reply = await c.until('Z', 30_000);
    expect(dataRow(reply.find((m) => m.type === 'D')!.body)[0]!.toString()).toBe('5000000');
    c.end();
  });

  it('ends a connection whose message is over the configured limit, and only that one', async () => {
    const other = await RawClient.startup(server.port);
    const c = await RawClient.startup(server.port);
    const head = Buffer.alloc(5);
    head[0] = 0x51;
    head.writeInt32BE(9 * MiB, 1);
    c.write(head);
    c.write(Buffer.alloc(64 * 1024, 0x20));
    const messages = await c.drain();
    expect(messages.map((m) => [m.type, errorFields(m.body).C, errorFields(m.body).S])).toEqual([['E', '08P01', 'FATAL']]);
    other.write(serialize.query('SELECT 1'));
    expect((await other.until('Z')).map((m) => m.type).join('')).toBe('TDCZ');
    other.end();
  });
});
