import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { startTestGateway, type TestGateway } from './demo-gateway.js';

/**
 * A client of the test gateway and one of the local PostgreSQL, connected before the
 * file's tests and closed after them, for tests that run the same SQL on both and compare.
 */
export function gatewayBesidePostgres(): { gateway: () => pg.Client; postgres: () => pg.Client } {
  let gw: TestGateway | undefined;
  let gateway: pg.Client | undefined;
  let postgres: pg.Client | undefined;
  beforeAll(async () => {
    gw = await startTestGateway();
    gateway = new pg.Client({ host: gw.host, port: gw.port, user: gw.user, password: gw.password, database: gw.database, ssl: { rejectUnauthorized: false } });
    await gateway.connect();
    postgres = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await postgres.connect();
    for (const client of [gateway, postgres]) await client.query("SET TIME ZONE 'UTC'");
  }, 60_000);
  afterAll(async () => {
    await gateway?.end();
    await postgres?.end();
    await gw?.stop();
  });
  return { gateway: () => gateway!, postgres: () => postgres! };
}
