/** The server logs through the pino Logger it is given: one debug line per statement run. */
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { pino } from 'pino';
import pg from 'pg';
import { startTestServer } from './server-fixture.js';

it('writes one debug line per statement, with its command tag, for simple and extended queries', async () => {
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
    await client.query('SELECT 1; SELECT 2; SET application_name = x');
    await client.query({ text: 'SELECT $1::int4 AS n', values: [5] });
    await client.end();
  } finally {
    await server.stop();
  }
  const statements = lines.filter((l) => l.msg === 'statement');
  expect(statements.map((l) => [l.sql, l.tag])).toEqual([
    ['SELECT 1', 'SELECT 1'],
    ['SELECT 2', 'SELECT 1'],
    ['SET application_name = x', 'SET'],
    ['SELECT $1::int4 AS n', 'SELECT 1'],
  ]);
  for (const l of statements) expect(typeof l.ms).toBe('number');
  expect(lines.some((l) => l.msg === 'session started')).toBe(true);
});
