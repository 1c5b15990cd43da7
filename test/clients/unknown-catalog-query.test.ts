/**
 * What a client gets for catalog queries the emulation cannot answer: a clear SQLSTATE
 * error (never a dropped connection) and a debug line naming the query, so the next gap is
 * easy to find; relations the emulation has but that hold nothing for C2D answer with
 * PostgreSQL's columns and no rows.
 */
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { pino } from 'pino';
import pg from 'pg';
import { startTestServer } from '../server/server-fixture.js';

it('an unknown catalog query gets 42P01 or 42883, a debug line naming it, and the session goes on', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const server = await startTestServer({ auth: 'trust', tls: false, logger: pino({ level: 'debug' }, sink) });
  try {
    const client = new pg.Client({ host: server.host, port: server.port, database: 'c2d', user: 'analyst' });
    await client.connect();
    const unknownRelation = 'SELECT query, calls FROM pg_catalog.pg_stat_statements ORDER BY calls DESC';
    await expect(client.query(unknownRelation)).rejects.toMatchObject({ code: '42P01' });
    const unknownFunction = { text: 'SELECT pg_catalog.pg_get_triggerdef(oid, $1) FROM pg_catalog.pg_trigger', values: [true] };
    await expect(client.query(unknownFunction)).rejects.toMatchObject({ code: '42883' });
    const empty = await client.query('SELECT relid, schemaname, relname, n_live_tup FROM pg_stat_user_tables');
    expect(empty.rows).toEqual([]);
    expect(empty.fields.map((f) => f.name)).toEqual(['relid', 'schemaname', 'relname', 'n_live_tup']);
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();
  } finally {
    await server.stop();
  }
  const failed = lines.filter((l) => l.msg === 'statement failed');
  expect(failed.map((l) => [l.code, l.sql])).toEqual([
    ['42P01', 'SELECT query, calls FROM pg_catalog.pg_stat_statements ORDER BY calls DESC'],
    ['42883', 'SELECT pg_catalog.pg_get_triggerdef(oid, $1) FROM pg_catalog.pg_trigger'],
  ]);
  expect(failed.every((l) => l.level === 20)).toBe(true);
});
