/**
 * Load: 200 concurrent connections each running 100 queries; all answered, and the
 * gateway's resident memory stays bounded (printed).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ auth: 'trust' });
});

afterAll(async () => {
  await gw?.stop();
});

it('answers 200 connections × 100 queries with bounded memory', async () => {
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  let answered = 0;
  try {
    await Promise.all(
      Array.from({ length: 200 }, async (_, connection) => {
        const client = new pg.Client({ host: gw.host, port: gw.port, database: 'c2d', user: 'analyst' });
        await client.connect();
        try {
          for (let q = 0; q < 100; q++) {
            const r = await client.query({ text: 'SELECT $1::int4 * 2 AS n, count(*)::int AS c FROM patients WHERE party = $2', values: [q, 'bmc'] });
            expect(r.rows[0].n).toBe(q * 2);
            answered++;
          }
        } finally {
          await client.end();
        }
        return connection;
      }),
    );
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(0);
  console.log(
    `load: ${answered} queries over 200 connections in ${seconds.toFixed(1)} s (${Math.round(answered / seconds)} q/s); ` +
      `RSS ${mb(rssBefore)} MiB before, ${mb(peak)} MiB peak, ${mb(process.memoryUsage().rss)} MiB after`,
  );
  expect(answered).toBe(20_000);
  // Client and server share this process: the bound covers both.
  expect(peak - rssBefore).toBeLessThan(1024 * 1024 * 1024);
  expect(gw.gateway.server.connectionCount).toBe(0);
}, 300_000);
