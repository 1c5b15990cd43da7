/**
 * TLS and authentication against the real gateway, with real clients: SCRAM-SHA-256 with
 * node-postgres and postgres.js, sslmode=require, the requireTls policy, servers without
 * TLS, and start-up that never finishes.
 */
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import postgres from 'postgres';
import { serialize } from 'pg-protocol';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';
import { RawClient, errorFields } from '../support/raw-client.js';
import { startTestServer, type TestServer } from './server-fixture.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});

afterAll(async () => {
  await gw?.stop();
});

function pgClient(server: { host: string; port: number }, extra: Partial<pg.ClientConfig> = {}): pg.Client {
  return new pg.Client({ host: server.host, port: server.port, database: 'c2d', user: 'analyst', password: 'analyst', ...extra });
}

/** The socket node-postgres talks over (to tell TLS from plain). */
function streamOf(client: pg.Client): unknown {
  return (client as unknown as { connection: { stream: unknown } }).connection.stream;
}

describe('SCRAM-SHA-256', () => {
  it('lets node-postgres in with the right password', async () => {
    const client = pgClient(gw);
    await client.connect();
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(streamOf(client)).not.toBeInstanceOf(TLSSocket);
    await client.end();
  });

  it('lets postgres.js in with the right password', async () => {
    const sql = postgres({ host: gw.host, port: gw.port, database: 'c2d', username: 'analyst', password: 'analyst', max: 1 });
    try {
      expect(await sql`SELECT 2 AS two`).toEqual([{ two: 2 }]);
    } finally {
      await sql.end();
    }
  });

  it('ends a wrong password and an unknown user in the same FATAL 28P01, for both clients', async () => {
    for (const [user, password] of [
      ['analyst', 'not-the-password'],
      ['mallory', 'analyst'],
    ] as const) {
      const client = pgClient(gw, { user, password });
      await expect(client.connect()).rejects.toMatchObject({
        code: '28P01',
        severity: 'FATAL',
        message: `password authentication failed for user "${user}"`,
      });
      const sql = postgres({ host: gw.host, port: gw.port, database: 'c2d', username: user, password, max: 1 });
      await expect(sql`SELECT 1`).rejects.toMatchObject({ code: '28P01' });
      await sql.end();
    }
  });

  it('refuses a SASL exchange that picks another mechanism', async () => {
    const c = await RawClient.connect(gw.port);
    c.write(serialize.startup({ user: 'analyst', database: 'c2d' }));
    const sasl = await c.until('R');
    expect(sasl[0]!.body.readInt32BE(0)).toBe(10);
    expect(sasl[0]!.body.subarray(4).toString()).toBe('SCRAM-SHA-256\0\0');
    c.write(serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256-PLUS', 'p=tls-unique,,n=,r=abc'));
    const errors = (await c.drain()).filter((m) => m.type === 'E').map((m) => errorFields(m.body));
    expect(errors.map((e) => [e.S, e.C])).toEqual([['FATAL', '08P01']]);
  });

  it('refuses a query sent instead of the SASL answer, without running it', async () => {
    const c = await RawClient.connect(gw.port);
    c.write(serialize.startup({ user: 'analyst', database: 'c2d' }));
    await c.until('R');
    c.write(serialize.query('SELECT 1'));
    const messages = await c.drain();
    expect(messages.map((m) => m.type)).toEqual(['E']);
    expect(errorFields(messages[0]!.body).C).toBe('08P01');
  });
});

describe('TLS', () => {
  it('serves node-postgres over TLS (sslmode=require) with the self-signed certificate', async () => {
    const client = pgClient(gw, { ssl: { rejectUnauthorized: false } });
    await client.connect();
    const stream = streamOf(client);
    expect(stream).toBeInstanceOf(TLSSocket);
    const peer = (stream as TLSSocket).getPeerCertificate();
    expect(peer.subjectaltname).toContain('IP Address:127.0.0.1');
    expect((stream as TLSSocket).getProtocol()).toMatch(/^TLSv1\.[23]$/);
    expect((await client.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
    await client.end();
  });

  it('serves postgres.js over TLS (ssl: require)', async () => {
    const sql = postgres({ host: gw.host, port: gw.port, database: 'c2d', username: 'analyst', password: 'analyst', ssl: 'require', max: 1 });
    try {
      expect(await sql`SELECT 4 AS four`).toEqual([{ four: 4 }]);
    } finally {
      await sql.end();
    }
  });

  it('verifies against its own certificate as a CA (sslmode=verify-full with the gateway certificate)', async () => {
    const server = await startTestServer();
    try {
      const client = pgClient(server, { ssl: { ca: server.tls.cert, servername: 'localhost' } });
      await client.connect();
      expect((await client.query('SELECT 5 AS five')).rows).toEqual([{ five: 5 }]);
      await client.end();
    } finally {
      await server.stop();
    }
  });

  it('refuses plaintext bytes sent after SSLRequest before the handshake (injection)', async () => {
    const c = await RawClient.connect(gw.port);
    c.write(Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'analyst', database: 'c2d' })]));
    const answer = await new Promise<Buffer>((resolve) => c.socket.once('data', resolve));
    expect(answer.subarray(0, 1).toString()).toBe('E');
    expect(answer.toString('latin1')).toContain('received unencrypted data after SSL request');
  });
});

describe('TLS policy', () => {
  let required: TestServer;
  let loopbackAllowed: TestServer;
  let plainOnly: TestServer;

  beforeAll(async () => {
    [required, loopbackAllowed, plainOnly] = await Promise.all([
      startTestServer({ requireTls: true, allowPlainOnLoopback: false }),
      startTestServer({ requireTls: true, allowPlainOnLoopback: true }),
      startTestServer({ tls: false }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([required?.stop(), loopbackAllowed?.stop(), plainOnly?.stop()]);
  });

  it('with requireTls refuses a plain connection with FATAL 28000 "SSL required", before authentication', async () => {
    const client = pgClient(required);
    await expect(client.connect()).rejects.toMatchObject({ code: '28000', severity: 'FATAL', message: 'SSL required' });
    const tls = pgClient(required, { ssl: { rejectUnauthorized: false } });
    await tls.connect();
    expect((await tls.query('SELECT 6 AS six')).rows).toEqual([{ six: 6 }]);
    await tls.end();
  });

  it('with allowPlainOnLoopback lets plain loopback clients in', async () => {
    const client = pgClient(loopbackAllowed);
    await client.connect();
    expect(streamOf(client)).not.toBeInstanceOf(TLSSocket);
    expect((await client.query('SELECT 7 AS seven')).rows).toEqual([{ seven: 7 }]);
    await client.end();
  });

  it('without TLS material answers SSLRequest with N, so sslmode=require fails and plain works', async () => {
    const c = await RawClient.connect(plainOnly.port);
    c.write(serialize.requestSsl());
    const answer = await new Promise<Buffer>((resolve) => c.socket.once('data', resolve));
    expect(answer.toString()).toBe('N');
    c.socket.destroy();
    await expect(pgClient(plainOnly, { ssl: { rejectUnauthorized: false } }).connect()).rejects.toThrow(/does not support SSL/);
    const client = pgClient(plainOnly);
    await client.connect();
    await client.end();
  });
});

describe('start-up limits', () => {
  it('drops a client that does not finish start-up within the authentication timeout', async () => {
    const server = await startTestServer({ authenticationTimeoutMs: 300 });
    try {
      const silent = await RawClient.connect(server.port);
      const stalled = await RawClient.connect(server.port);
      stalled.write(serialize.startup({ user: 'analyst', database: 'c2d' }));
      const started = performance.now();
      await silent.drain(5000);
      await stalled.drain(5000);
      expect(silent.closed && stalled.closed).toBe(true);
      expect(performance.now() - started).toBeLessThan(3000);
      // The server side finishes its clean-up just after the client saw the close.
      while (server.server.connectionCount > 0 && performance.now() - started < 3000) await new Promise((r) => setTimeout(r, 20));
      expect(server.server.connectionCount).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
