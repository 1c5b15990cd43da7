/**
 * Hostile bytes: each case ends in an ErrorResponse or a clean close, the process stays
 * up, and another session keeps working throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';
import { RawClient, errorFields, frame } from '../support/raw-client.js';

let gw: TestGateway;
let scramGw: TestGateway;
let control: pg.Client;

beforeAll(async () => {
  gw = await startTestGateway({ auth: 'trust' });
  scramGw = await startTestGateway();
  control = new pg.Client({ host: gw.host, port: gw.port, database: 'c2d', user: 'analyst' });
  await control.connect();
});

afterAll(async () => {
  await control?.end();
  await gw?.stop();
  await scramGw?.stop();
});

async function controlStillWorks(): Promise<void> {
  expect((await control.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
}

/** The messages until the server closes; asserts any error is a proper ErrorResponse. */
async function endsCleanly(c: RawClient): Promise<Record<string, string>[]> {
  const messages = await c.drain();
  expect(c.closed).toBe(true);
  return messages.filter((m) => m.type === 'E').map((m) => errorFields(m.body));
}

describe('malformed frames', () => {
  it('a truncated frame followed by end of input closes cleanly', async () => {
    const c = await RawClient.startup(gw.port);
    const q = frame('Q', Buffer.from('SELECT 1\0'));
    c.socket.end(q.subarray(0, q.length - 3));
    expect(await endsCleanly(c)).toEqual([]);
    await controlStillWorks();
  });

  it('a length claiming 1 GiB is refused without allocating it', async () => {
    const before = process.memoryUsage().rss;
    const c = await RawClient.startup(gw.port);
    const head = Buffer.alloc(5);
    head[0] = 0x51;
    head.writeInt32BE(1 << 30, 1);
    c.write(head);
    const errors = await endsCleanly(c);
    expect(errors.map((e) => e.C)).toEqual(['08P01']);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
    await controlStillWorks();
  });

  it('an unknown message type ends the connection with 08P01', async () => {
    const c = await RawClient.startup(gw.port);
    c.write(frame('z', Buffer.alloc(0)));
    expect((await endsCleanly(c)).map((e) => [e.C, e.S])).toEqual([['08P01', 'FATAL']]);
    await controlStillWorks();
  });

  it('a typed message before start-up is refused', async () => {
    const c = await RawClient.connect(gw.port);
    c.write(serialize.query('SELECT 1'));
    expect((await endsCleanly(c)).map((e) => e.C)).toEqual(['08P01']);
    await controlStillWorks();
  });

  it('bad UTF-8 in a query is 22021 and the session goes on', async () => {
    const c = await RawClient.startup(gw.port);
    c.write(frame('Q', Buffer.from([0x53, 0x45, 0xff, 0xfe, 0x00])));
    const reply = await c.until('Z');
    expect(errorFields(reply.find((m) => m.type === 'E')!.body).C).toBe('22021');
    c.write(serialize.query('SELECT 2'));
    expect((await c.until('Z')).some((m) => m.type === 'D')).toBe(true);
    c.end();
  });

  it('a Bind with more parameters than the message holds is 08P01', async () => {
    const c = await RawClient.startup(gw.port);
    c.write(serialize.parse({ text: 'SELECT $1::int4' }));
    const body = Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff]);
    c.write(frame('B', body));
    c.write(serialize.sync());
    const reply = await c.until('Z');
    expect(reply.filter((m) => m.type === 'E').map((m) => errorFields(m.body).C)).toEqual(['08P01']);
    c.end();
  });
});

describe('start-up and authentication', () => {
  it('refuses a start-up packet without a user', async () => {
    const c = await RawClient.connect(gw.port);
    const params = Buffer.from('database\0c2d\0\0');
    const head = Buffer.alloc(8);
    head.writeInt32BE(8 + params.length, 0);
    head.writeInt32BE(196608, 4);
    c.write(Buffer.concat([head, params]));
    expect((await endsCleanly(c)).map((e) => e.C)).toEqual(['28000']);
  });

  it('refuses protocol 2.0', async () => {
    const c = await RawClient.connect(gw.port);
    const head = Buffer.alloc(8);
    head.writeInt32BE(8, 0);
    head.writeInt32BE(131072, 4);
    c.write(head);
    expect((await endsCleanly(c)).map((e) => e.C)).toEqual(['0A000']);
  });

  it('gives the same answer for a wrong password and an unknown user', async () => {
    for (const [user, password] of [
      ['analyst', 'wrong'],
      ['nobody', 'analyst'],
    ] as const) {
      const client = new pg.Client({ host: scramGw.host, port: scramGw.port, database: 'c2d', user, password });
      await expect(client.connect()).rejects.toMatchObject({ code: '28P01', message: `password authentication failed for user "${user}"` });
    }
    await controlStillWorks();
  });

  it('refuses an unknown database with 3D000', async () => {
    const client = new pg.Client({ host: gw.host, port: gw.port, database: 'nope', user: 'analyst' });
    await expect(client.connect()).rejects.toMatchObject({ code: '3D000' });
  });
});

describe('random frames', () => {
  const sqlText = fc.constantFrom(
    'SELECT 1',
    'SELECT $1::int4 AS n',
    "SELECT 'x' || $1 AS s",
    'BEGIN',
    'COMMIT',
    'ROLLBACK',
    'SELECT * FROM no_such_table',
    'SELECT i FROM range(500) t(i)',
    '',
    'SELECT 1; SELECT 2',
    'SHOW application_name',
  );
  const name = fc.constantFrom('', 'a', 'b');
  const value = fc.oneof(fc.constant(null), fc.constantFrom('1', '-5', 'x', ''), fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)));
  // Well-formed messages, so sessions get deep into the protocol before anything breaks.
  const wellFormed = fc.oneof(
    fc.record({ name, text: sqlText }).map((p) => serialize.parse(p)),
    fc.record({ portal: name, statement: name, values: fc.array(value, { maxLength: 2 }), binary: fc.boolean() }).map((b) => serialize.bind(b)),
    fc.record({ type: fc.constantFrom('S' as const, 'P' as const), name }).map((d) => serialize.describe(d)),
    fc.record({ type: fc.constantFrom('S' as const, 'P' as const), name }).map((d) => serialize.close(d)),
    fc.record({ portal: name, rows: fc.nat(300) }).map((e) => serialize.execute(e)),
    sqlText.map((q) => serialize.query(q)),
    fc.constant(serialize.sync()),
    fc.constant(serialize.flush()),
  );
  // A known type with a body of random bytes (the header stays consistent).
  const randomBody = fc
    .tuple(fc.constantFrom(...'QPBDECSHdcf'.split('')), fc.uint8Array({ maxLength: 64 }))
    .map(([t, b]) => frame(t, Buffer.from(b)));
  // A well-formed message with one byte of its body changed.
  const mutated = fc.tuple(wellFormed, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([m, at, xor]) => {
    const copy = Buffer.from(m);
    if (copy.length > 5) copy[5 + (at % (copy.length - 5))]! ^= xor;
    return copy;
  });
  // Anything at all: unknown types, lengths that lie.
  const garbage = fc.uint8Array({ minLength: 1, maxLength: 32 }).map((b) => Buffer.from(b));
  const randomFrame = fc.oneof({ arbitrary: wellFormed, weight: 10 }, { arbitrary: randomBody, weight: 4 }, { arbitrary: mutated, weight: 4 });
  // Garbage ends a session (FATAL), so it comes last, where it cannot hide the other frames.
  const session = fc
    .tuple(fc.array(randomFrame, { minLength: 99, maxLength: 99 }), fc.oneof(randomFrame, garbage))
    .map(([frames, last]) => [...frames, last]);

  it('survives ten thousand random frames from fast-check, each session ending in an ErrorResponse or a clean close', async () => {
    let frames = 0;
    let fatal = 0;
    let errors = 0;
    await fc.assert(
      fc.asyncProperty(session, async (batch) => {
        const c = await RawClient.startup(gw.port);
        c.write(Buffer.concat(batch));
        frames += batch.length;
        c.write(serialize.end());
        c.socket.end();
        const messages = await c.drain(20_000);
        expect(c.closed).toBe(true);
        for (const [i, m] of messages.entries()) {
          if (m.type !== 'E') continue;
          errors++;
          const e = errorFields(m.body);
          expect(e.C).toMatch(/^[0-9A-Z]{5}$/);
          expect(e.M).toBeTruthy();
          expect(['ERROR', 'FATAL']).toContain(e.S);
          // Nothing follows a FATAL error.
          if (e.S === 'FATAL') {
            fatal++;
            expect(i).toBe(messages.length - 1);
          }
        }
      }),
      { numRuns: 100 },
    );
    expect(frames).toBe(10_000);
    console.log(`random frames: ${frames} frames in 100 sessions, ${errors} ErrorResponses, ${fatal} sessions ended by FATAL`);
    await controlStillWorks();
  });

  it('survives random bytes in place of the start-up packet', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), async (bytes) => {
        const c = await RawClient.connect(gw.port);
        c.socket.end(Buffer.from(bytes));
        const messages = await c.drain(10_000);
        expect(c.closed).toBe(true);
        for (const m of messages.filter((m) => m.type === 'E')) expect(errorFields(m.body).S).toBe('FATAL');
      }),
      { numRuns: 200 },
    );
    await controlStillWorks();
  });
});
