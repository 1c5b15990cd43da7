/**
 * Connection and server lifecycle: GSSENCRequest declined, newer protocol minor versions
 * negotiated down, statement_timeout, and a graceful shutdown that lets a running query
 * finish while refusing new connections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';
import { RawClient, errorFields } from '../support/raw-client.js';
import { startTestServer } from './server-fixture.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ auth: 'trust' });
});

afterAll(async () => {
  await gw?.stop();
});

function startupPacket(version: number, params: Record<string, string>): Buffer {
  const body = Buffer.from(Object.entries(params).map(([k, v]) => `${k}\0${v}\0`).join('') + '\0');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(version, 4);
  return Buffer.concat([head, body]);
}

describe('start-up negotiation', () => {
  it('declines GSS encryption with N and carries on with the start-up', async () => {
    const c = await RawClient.connect(gw.port);
    const gss = Buffer.alloc(8);
    gss.writeInt32BE(8, 0);
    gss.writeInt32BE(80877104, 4);
    c.write(gss);
    const answer = await new Promise<Buffer>((resolve) => c.socket.once('data', resolve));
    expect(answer.toString()).toBe('N');
  });

  it('answers protocol 3.2 with NegotiateProtocolVersion and serves 3.0', async () => {
    const c = await RawClient.connect(gw.port);
    c.write(startupPacket((3 << 16) | 2, { user: 'analyst', database: 'c2d', '_pq_.unknown': 'x' }));
    const messages = await c.until('Z');
    const negotiate = messages.find((m) => m.type === 'v');
    expect(negotiate).toBeDefined();
    expect(negotiate!.body.readInt32BE(0)).toBe(0);
    expect(negotiate!.body.readInt32BE(4)).toBe(1);
    c.write(serialize.query('SELECT 1'));
    expect((await c.until('Z')).some((m) => m.type === 'D')).toBe(true);
    c.end();
  });
});

describe('statement_timeout', () => {
  it('cancels a statement that runs too long with 57014', async () => {
    const client = new pg.Client({ host: gw.host, port: gw.port, database: 'c2d', user: 'analyst' });
    await client.connect();
    await client.query("SET statement_timeout = '300ms'");
    const started = performance.now();
    await expect(client.query('SELECT count(*) FROM range(10000000000) a, range(10) b')).rejects.toMatchObject({
      code: '57014',
      message: 'canceling statement due to statement timeout',
    });
    expect(performance.now() - started).toBeLessThan(2000);
    await client.query('RESET statement_timeout');
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();
  });
});

describe('graceful shutdown', () => {
  it('lets a running query finish, then closes idle sessions with 57P01 and refuses new ones', async () => {
    const own = await startTestGateway({ auth: 'trust' });
    const busy = new pg.Client({ host: own.host, port: own.port, database: 'c2d', user: 'analyst' });
    const idle = await RawClient.startup(own.port);
    await busy.connect();
    busy.on('error', () => {});
    const running = busy.query('SELECT count(*)::int AS n FROM range(300000000)');
    await new Promise((r) => setTimeout(r, 100));
    const stopping = own.stop();
    const result = await running;
    expect(result.rows).toEqual([{ n: 300000000 }]);
    await stopping;
    const closing = (await idle.drain()).filter((m) => m.type === 'E').map((m) => errorFields(m.body).C);
    expect(closing).toEqual(['57P01']);
    await expect(RawClient.connect(own.port).then((c) => c.drain(2000))).rejects.toThrow();
    await busy.end().catch(() => {});
  });

  it('refuses new sessions with 57P03 during the grace period but serves a CancelRequest', async () => {
    const server = await startTestServer({ auth: 'trust', tls: false });
    const busy = new pg.Client({ host: server.host, port: server.port, database: 'c2d', user: 'analyst' });
    await busy.connect();
    busy.on('error', () => {});
    const running = busy.query('SELECT count(*) FROM range(10000000000) a, range(10) b');
    const outcome = running.then(
      () => 'finished',
      (e: { code: string }) => e.code,
    );
    await new Promise((r) => setTimeout(r, 200));
    const stopping = server.server.close({ gracefulMs: 20_000 });
    const late = new pg.Client({ host: server.host, port: server.port, database: 'c2d', user: 'analyst' });
    await expect(late.connect()).rejects.toMatchObject({ code: '57P03', message: 'the database system is shutting down' });
    const started = performance.now();
    const { processID, secretKey } = busy as unknown as { processID: number; secretKey: number };
    await RawClient.cancel(server.port, processID, secretKey);
    expect(await outcome).toBe('57014');
    await stopping;
    expect(performance.now() - started).toBeLessThan(5000);
    await server.stop();
  });

  it('ends a statement that outlasts the grace period with FATAL 57P01', async () => {
    const server = await startTestServer({ auth: 'trust', tls: false });
    const c = await RawClient.startup(server.port);
    c.write(serialize.query('SELECT count(*) FROM range(10000000000) a, range(10) b'));
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    await server.server.close({ gracefulMs: 300 });
    const errors = (await c.drain()).filter((m) => m.type === 'E').map((m) => [errorFields(m.body).S, errorFields(m.body).C]);
    expect(errors.at(-1)).toEqual(['FATAL', '57P01']);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(server.server.connectionCount).toBe(0);
    await server.stop();
  });
});
