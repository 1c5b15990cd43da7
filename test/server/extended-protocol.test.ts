/**
 * The extended query protocol as drivers use it, against a real gateway: portals fetched
 * in pieces, a pipeline whose middle statement fails, cancel of a running query, named
 * statements and portals, Describe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import postgres from 'postgres';
import { serialize } from 'pg-protocol';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';
import { RawClient, bindMessage, dataRow, errorFields } from '../support/raw-client.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ auth: 'trust' });
});

afterAll(async () => {
  await gw?.stop();
});

describe('portals', () => {
  it('fetches a portal 100 rows at a time to the end (postgres.js cursor)', async () => {
    const sql = postgres({ host: gw.host, port: gw.port, database: 'c2d', username: 'analyst', max: 1 });
    try {
      const expected = Number((await sql`SELECT count(*)::int AS n FROM diagnoses`)[0]!.n);
      let total = 0;
      let batches = 0;
      await sql.begin(async (tx) => {
        for await (const rows of tx`SELECT patient_id, icd10 FROM diagnoses`.cursor(100)) {
          expect(rows.length).toBeLessThanOrEqual(100);
          total += rows.length;
          batches++;
        }
      });
      expect(total).toBe(expected);
      expect(batches).toBe(Math.ceil(expected / 100));
    } finally {
      await sql.end();
    }
  });

  it('suspends and resumes a portal with Execute row limits', async () => {
    const c = await RawClient.startup(gw.port);
    c.write(serialize.parse({ text: 'SELECT i FROM range(250) t(i) ORDER BY i' }));
    c.write(bindMessage([], 0, 0, 'p1'));
    c.write(serialize.describe({ type: 'P', name: 'p1' }));
    c.write(serialize.execute({ portal: 'p1', rows: 100 }));
    c.write(serialize.flush());
    const first = await c.until('s');
    expect(first.map((m) => m.type).join('')).toBe('12T' + 'D'.repeat(100) + 's');
    c.write(serialize.execute({ portal: 'p1', rows: 100 }));
    c.write(serialize.execute({ portal: 'p1', rows: 100 }));
    c.write(serialize.sync());
    const rest = await c.until('Z');
    const types = rest.map((m) => m.type).join('');
    expect(types).toBe('D'.repeat(100) + 's' + 'D'.repeat(50) + 'CZ');
    expect(rest.at(-2)!.body.toString('utf8')).toContain('SELECT 250');
    expect(dataRow(rest[0]!.body)[0]!.toString()).toBe('100');
    c.end();
  });

  it('describes statements with parameter types and NoData for commands', async () => {
    const c = await RawClient.startup(gw.port);
    c.write(serialize.parse({ name: 's1', text: 'SELECT name FROM (SELECT 1 AS id, $2::text AS name) x WHERE id = $1' }));
    c.write(serialize.parse({ name: 's2', text: 'SET application_name = x' }));
    c.write(serialize.describe({ type: 'S', name: 's1' }));
    c.write(serialize.describe({ type: 'S', name: 's2' }));
    c.write(serialize.sync());
    const messages = await c.until('Z');
    expect(messages.map((m) => m.type).join('')).toBe('11tTtnZ');
    const params = messages[2]!.body;
    expect([params.readInt16BE(0), params.readUInt32BE(2), params.readUInt32BE(6)]).toEqual([2, 23, 25]);
    c.end();
  });
});

describe('error recovery', () => {
  it('skips to Sync after an error in a pipeline and carries on', async () => {
    const c = await RawClient.startup(gw.port);
    for (const text of ['SELECT 1', 'SELECT * FROM no_such_table', 'SELECT 3']) {
      c.write(serialize.parse({ text }));
      c.write(bindMessage([], 0, 0));
      c.write(serialize.execute({}));
    }
    c.write(serialize.sync());
    c.write(serialize.query('SELECT 4'));
    const messages = await c.until('Z');
    expect(messages.map((m) => m.type).join('')).toBe('12DC' + 'E' + 'Z');
    expect(errorFields(messages[4]!.body).C).toBe('42P01');
    expect(messages.at(-1)!.body.toString()).toBe('I');
    const after = await c.until('Z');
    expect(dataRow(after.find((m) => m.type === 'D')!.body)[0]!.toString()).toBe('4');
    c.end();
  });

  it('reports E in a failed transaction block until ROLLBACK', async () => {
    const client = new pg.Client({ host: gw.host, port: gw.port, database: 'c2d', user: 'analyst' });
    await client.connect();
    await client.query('BEGIN');
    await expect(client.query('SELECT nope FROM patients')).rejects.toMatchObject({ code: '42703' });
    await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await client.query('ROLLBACK');
    expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    await client.end();
  });

  it('postgres.js pipelines: the failing query rejects, the others resolve', async () => {
    const sql = postgres({ host: gw.host, port: gw.port, database: 'c2d', username: 'analyst', max: 1 });
    try {
      const results = await Promise.allSettled([sql`SELECT 1 AS a`, sql`SELECT * FROM nope`, sql`SELECT 3 AS c`]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    } finally {
      await sql.end();
    }
  });
});

describe('cancel', () => {
  it('stops a long query within 1 s with 57014, and the session goes on', async () => {
    const client = new pg.Client({ host: gw.host, port: gw.port, database: 'c2d', user: 'analyst' });
    await client.connect();
    const running = client.query('SELECT count(*) FROM range(10000000000) a, range(10) b');
    await new Promise((r) => setTimeout(r, 300));
    const started = performance.now();
    const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
    await RawClient.cancel(gw.port, processID, secretKey);
    await expect(running).rejects.toMatchObject({ code: '57014' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();
  });

  it('ignores a CancelRequest with the wrong secret', async () => {
    const client = new pg.Client({ host: gw.host, port: gw.port, database: 'c2d', user: 'analyst' });
    await client.connect();
    const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
    await RawClient.cancel(gw.port, processID, secretKey ^ 1);
    const r = await client.query('SELECT count(*)::int AS n FROM range(3000000)');
    expect(r.rows).toEqual([{ n: 3000000 }]);
    await client.end();
  });
});

describe('simple query', () => {
  it('runs several statements in one message and answers an empty one', async () => {
    const c = await RawClient.startup(gw.port);
    c.write(serialize.query("SELECT 1; SET application_name = 'x'; SHOW application_name"));
    const messages = await c.until('Z');
    expect(messages.map((m) => m.type).join('')).toBe('TDC' + 'S' + 'C' + 'TDCZ');
    c.write(serialize.query(' -- nothing\n'));
    expect((await c.until('Z')).map((m) => m.type).join('')).toBe('IZ');
    c.end();
  });
});
