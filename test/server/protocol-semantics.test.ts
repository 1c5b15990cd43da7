/**
 * The query protocols message by message, over a raw socket against the real engine:
 * what PostgreSQL answers to each edge of Parse/Bind/Describe/Execute/Close/Sync/Flush,
 * portal lifetimes, COPY out, ignored and unsupported messages, and the transaction
 * status in ReadyForQuery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialize } from 'pg-protocol';
import { RawClient, bindMessage, dataRow, errorFields, frame, type BackendMessage } from '../support/raw-client.js';
import { startTestServer, type TestServer } from './server-fixture.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ auth: 'trust', tls: false });
});

afterAll(async () => {
  await server?.stop();
});

const types = (messages: BackendMessage[]): string => messages.map((m) => m.type).join('');
const codes = (messages: BackendMessage[]): string[] => messages.filter((m) => m.type === 'E').map((m) => errorFields(m.body).C!);
const status = (messages: BackendMessage[]): string => messages.at(-1)!.body.toString();
const texts = (messages: BackendMessage[]): string[][] =>
  messages.filter((m) => m.type === 'D').map((m) => dataRow(m.body).map((v) => (v === null ? 'NULL' : v.toString())));

async function withClient(fn: (c: RawClient) => Promise<void>): Promise<void> {
  const c = await RawClient.startup(server.port);
  try {
    await fn(c);
  } finally {
    c.end();
  }
}

async function roundTrip(c: RawClient, ...messages: Buffer[]): Promise<BackendMessage[]> {
  c.write(Buffer.concat([...messages, serialize.sync()]));
  return c.until('Z');
}

describe('Parse', () => {
  it('refuses a second statement of the same name with 42P05, then recovers at Sync', async () => {
    await withClient(async (c) => {
      const reply = await roundTrip(
        c,
        serialize.parse({ name: 's', text: 'SELECT 1' }),
        serialize.parse({ name: 's', text: 'SELECT 2' }),
        serialize.describe({ type: 'S', name: 's' }),
      );
      expect(types(reply)).toBe('1EZ');
      expect(codes(reply)).toEqual(['42P05']);
      expect(status(reply)).toBe('I');
      // The first one is still there.
      expect(types(await roundTrip(c, bindMessage([], 0, 0, '', 's'), serialize.execute({})))).toBe('2DCZ');
    });
  });

  it('replaces the unnamed statement, and refuses several statements in one Parse with 42601', async () => {
    await withClient(async (c) => {
      const reply = await roundTrip(
        c,
        serialize.parse({ text: 'SELECT 1 AS a' }),
        serialize.parse({ text: "SELECT 'two' AS b" }),
        bindMessage([], 0, 0),
        serialize.execute({}),
      );
      expect(texts(reply)).toEqual([['two']]);
      const multi = await roundTrip(c, serialize.parse({ text: 'SELECT 1; SELECT 2' }));
      expect(codes(multi)).toEqual(['42601']);
    });
  });

  it('answers bad UTF-8 in a Parse with 22021 and skips to Sync', async () => {
    await withClient(async (c) => {
      const body = Buffer.concat([Buffer.from('\0SELECT \xff\xfe', 'latin1'), Buffer.from([0, 0, 0])]);
      const reply = await roundTrip(c, frame('P', body), serialize.describe({ type: 'S', name: '' }));
      expect(types(reply)).toBe('EZ');
      expect(codes(reply)).toEqual(['22021']);
    });
  });
});

describe('Bind', () => {
  it('checks the statement, the parameter count and the format counts', async () => {
    await withClient(async (c) => {
      expect(codes(await roundTrip(c, bindMessage([], 0, 0, '', 'nope')))).toEqual(['26000']);
      c.write(serialize.parse({ name: 'p1', text: 'SELECT $1::int4 AS v, 2 AS w' }));
      expect(codes(await roundTrip(c, bindMessage([], 0, 0, '', 'p1')))).toEqual(['08P01']);
      // Two parameter format codes for one parameter.
      const twoFormats = Buffer.from('\0p1\0\0\x02\0\0\0\0\0\x01\0\0\0\x011\0\0', 'latin1');
      expect(codes(await roundTrip(c, frame('B', twoFormats)))).toEqual(['08P01']);
      // Three result format codes for two columns.
      const threeResults = Buffer.from('\0p1\0\0\0\0\x01\0\0\0\x011\0\x03\0\0\0\0\0\0', 'latin1');
      expect(codes(await roundTrip(c, frame('B', threeResults)))).toEqual(['08P01']);
      // Still a working session.
      expect(texts(await roundTrip(c, bindMessage([Buffer.from('41')], 0, 0, '', 'p1'), serialize.execute({})))).toEqual([['41', '2']]);
    });
  });

  it('decodes binary parameters by their type, and refuses bad ones with 22P03 and NUL in text with 22021', async () => {
    await withClient(async (c) => {
      c.write(serialize.parse({ name: 'q', text: 'SELECT $1::int4 + 1 AS n', types: [23] }));
      const int4 = Buffer.alloc(4);
      int4.writeInt32BE(-7);
      expect(texts(await roundTrip(c, bindMessage([int4], 1, 0, '', 'q'), serialize.execute({})))).toEqual([['-6']]);
      expect(codes(await roundTrip(c, bindMessage([Buffer.from([1, 2, 3])], 1, 0, '', 'q')))).toEqual(['22P03']);
      c.write(serialize.parse({ name: 't', text: 'SELECT $1::text AS t' }));
      expect(codes(await roundTrip(c, bindMessage([Buffer.from('a\0b')], 0, 0, '', 't')))).toEqual(['22021']);
      expect(codes(await roundTrip(c, bindMessage([Buffer.from('12x')], 0, 0, '', 'q')))).toEqual(['22P02']);
    });
  });

  it('refuses a second named portal of the same name with 42P03', async () => {
    await withClient(async (c) => {
      c.write(serialize.query('BEGIN'));
      await c.until('Z');
      c.write(serialize.parse({ name: 's', text: 'SELECT 1' }));
      const reply = await roundTrip(c, bindMessage([], 0, 0, 'cur', 's'), bindMessage([], 0, 0, 'cur', 's'));
      expect(types(reply)).toBe('12EZ');
      expect(codes(reply)).toEqual(['42P03']);
      expect(status(reply)).toBe('E');
      c.write(serialize.query('ROLLBACK'));
      expect(status(await c.until('Z'))).toBe('I');
    });
  });
});

describe('Describe, Execute, Close', () => {
  it('describes a portal with its bound result formats and sends binary DataRows', async () => {
    await withClient(async (c) => {
      const reply = await roundTrip(
        c,
        serialize.parse({ text: 'SELECT 258::int4 AS a, 1::int8 AS b' }),
        bindMessage([], 0, 1),
        serialize.describe({ type: 'P', name: '' }),
        serialize.execute({}),
      );
      expect(types(reply)).toBe('12TDCZ');
      const description = reply[2]!.body;
      // Format code of the last field of each column: the int16 after name, oids, sizes, typmod.
      expect(description.readInt16BE(description.length - 2)).toBe(1);
      const row = dataRow(reply[3]!.body);
      expect(row.map((v) => v!.toString('hex'))).toEqual(['00000102', '0000000000000001']);
    });
  });

  it('answers an empty query with NoData and EmptyQueryResponse', async () => {
    await withClient(async (c) => {
      const reply = await roundTrip(
        c,
        serialize.parse({ text: '  ' }),
        serialize.describe({ type: 'S', name: '' }),
        bindMessage([], 0, 0),
        serialize.describe({ type: 'P', name: '' }),
        serialize.execute({}),
      );
      expect(types(reply)).toBe('1tn2nIZ');
    });
  });

  it('refuses Execute of a portal that does not exist with 34000', async () => {
    await withClient(async (c) => {
      expect(codes(await roundTrip(c, serialize.execute({ portal: 'ghost' })))).toEqual(['34000']);
    });
  });

  it('completes Close even for statements and portals that do not exist', async () => {
    await withClient(async (c) => {
      const reply = await roundTrip(c, serialize.close({ type: 'S', name: 'ghost' }), serialize.close({ type: 'P', name: 'ghost' }));
      expect(types(reply)).toBe('33Z');
    });
  });

  it('keeps a portal running after its statement is closed', async () => {
    await withClient(async (c) => {
      c.write(serialize.query('BEGIN'));
      await c.until('Z');
      const first = await roundTrip(
        c,
        serialize.parse({ name: 's', text: 'SELECT i FROM range(5) t(i) ORDER BY i' }),
        bindMessage([], 0, 0, 'p', 's'),
        serialize.execute({ portal: 'p', rows: 2 }),
        serialize.close({ type: 'S', name: 's' }),
      );
      expect(types(first)).toBe('12DDs3Z');
      const rest = await roundTrip(c, serialize.execute({ portal: 'p', rows: 0 }));
      expect(texts(rest)).toEqual([['2'], ['3'], ['4']]);
      expect(rest.find((m) => m.type === 'C')!.body.toString()).toBe('SELECT 5\0');
      c.write(serialize.query('COMMIT'));
      await c.until('Z');
    });
  });

  it('sends what is pending on Flush, before any Sync', async () => {
    await withClient(async (c) => {
      c.write(Buffer.concat([serialize.parse({ text: 'SELECT 1' }), bindMessage([], 0, 0), serialize.execute({}), serialize.flush()]));
      expect(types(await c.until('C'))).toBe('12DC');
      c.write(serialize.sync());
      expect(types(await c.until('Z'))).toBe('Z');
    });
  });

  it('answers a long pipeline of statements in order, under one Sync', async () => {
    await withClient(async (c) => {
      const messages: Buffer[] = [];
      for (let i = 0; i < 200; i++) {
        messages.push(serialize.parse({ text: `SELECT ${i} AS n` }), bindMessage([], 0, 0), serialize.execute({}));
      }
      const reply = await roundTrip(c, ...messages);
      expect(texts(reply).map((r) => Number(r[0]))).toEqual(Array.from({ length: 200 }, (_, i) => i));
    });
  });
});

describe('portal lifetimes', () => {
  it('ends named portals at Sync outside a transaction block', async () => {
    await withClient(async (c) => {
      await roundTrip(c, serialize.parse({ name: 's', text: 'SELECT i FROM range(10) t(i)' }), bindMessage([], 0, 0, 'p', 's'));
      expect(codes(await roundTrip(c, serialize.execute({ portal: 'p', rows: 1 })))).toEqual(['34000']);
    });
  });

  it('keeps named portals across Syncs inside a transaction block, and ends them at COMMIT', async () => {
    await withClient(async (c) => {
      c.write(serialize.query('BEGIN'));
      expect(status(await c.until('Z'))).toBe('T');
      const bound = await roundTrip(
        c,
        serialize.parse({ name: 's', text: 'SELECT i FROM range(10) t(i) ORDER BY i' }),
        bindMessage([], 0, 0, 'p', 's'),
        serialize.execute({ portal: 'p', rows: 3 }),
      );
      expect(types(bound)).toBe('12DDDsZ');
      expect(status(bound)).toBe('T');
      const more = await roundTrip(c, serialize.execute({ portal: 'p', rows: 3 }));
      expect(texts(more)).toEqual([['3'], ['4'], ['5']]);
      c.write(serialize.query('COMMIT'));
      expect(status(await c.until('Z'))).toBe('I');
      expect(codes(await roundTrip(c, serialize.execute({ portal: 'p', rows: 3 })))).toEqual(['34000']);
    });
  });

  it('ends the unnamed portal with the next Bind', async () => {
    await withClient(async (c) => {
      c.write(serialize.query('BEGIN'));
      await c.until('Z');
      await roundTrip(c, serialize.parse({ name: 'a', text: 'SELECT 1 AS x' }), bindMessage([], 0, 0, '', 'a'));
      const reply = await roundTrip(c, serialize.parse({ name: 'b', text: "SELECT 'b' AS x" }), bindMessage([], 0, 0, '', 'b'), serialize.execute({}));
      expect(texts(reply)).toEqual([['b']]);
      c.write(serialize.query('COMMIT'));
      await c.until('Z');
    });
  });
});

describe('simple query', () => {
  it('stops a query string at the first error', async () => {
    await withClient(async (c) => {
      c.write(serialize.query('SELECT 1; SELECT * FROM no_such_table; SELECT 3'));
      const reply = await c.until('Z');
      expect(types(reply)).toBe('TDCEZ');
      expect(codes(reply)).toEqual(['42P01']);
    });
  });

  it('reports I, T and E in ReadyForQuery through a transaction block', async () => {
    await withClient(async (c) => {
      const seen: string[] = [];
      for (const sql of ['BEGIN', 'SELECT 1', 'SELECT * FROM no_such_table', 'SELECT 1', 'ROLLBACK']) {
        c.write(serialize.query(sql));
        seen.push(status(await c.until('Z')));
      }
      expect(seen).toEqual(['T', 'T', 'E', 'E', 'I']);
    });
  });

  it('streams COPY … TO STDOUT as CopyOutResponse, CopyData, CopyDone, CommandComplete', async () => {
    await withClient(async (c) => {
      c.write(serialize.query("COPY (SELECT i, 'v' || i AS s FROM range(3) t(i) ORDER BY i) TO STDOUT"));
      const reply = await c.until('Z');
      expect(types(reply)).toMatch(/^Hd+cCZ$/);
      const response = reply[0]!.body;
      expect([response[0], response.readInt16BE(1), response.readInt16BE(3), response.readInt16BE(5)]).toEqual([0, 2, 0, 0]);
      const data = Buffer.concat(reply.filter((m) => m.type === 'd').map((m) => m.body)).toString();
      expect(data).toBe('0\tv0\n1\tv1\n2\tv2\n');
      expect(reply.find((m) => m.type === 'C')!.body.toString()).toBe('COPY 3\0');
    });
  });
});

describe('other messages', () => {
  it('ignores CopyData, CopyDone and CopyFail outside COPY, as PostgreSQL does', async () => {
    await withClient(async (c) => {
      c.write(Buffer.concat([serialize.copyData(Buffer.from('x')), serialize.copyDone(), serialize.copyFail('no')]));
      c.write(serialize.query('SELECT 1'));
      expect(types(await c.until('Z'))).toBe('TDCZ');
    });
  });

  it('refuses the function call protocol with 0A000 and carries on', async () => {
    await withClient(async (c) => {
      c.write(frame('F', Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0])));
      const reply = await c.until('Z');
      expect(codes(reply)).toEqual(['0A000']);
      c.write(serialize.query('SELECT 1'));
      expect(types(await c.until('Z'))).toBe('TDCZ');
    });
  });

  it('closes cleanly on Terminate and frees the session', async () => {
    const c = await RawClient.startup(server.port);
    const before = server.server.connectionCount;
    c.write(serialize.end());
    expect(await c.drain()).toEqual([]);
    const deadline = Date.now() + 3000;
    while (server.server.connectionCount >= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(server.server.connectionCount).toBe(before - 1);
  });
});
