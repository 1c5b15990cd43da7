/**
 * The demo gateway (three party nodes, registered by DDL) with a node-postgres client, and
 * the union of the parties' data in one DuckDB database to compare answers with. Call at a
 * test file's top level: it registers the hooks that start and stop them.
 */
import { afterAll, beforeAll } from 'vitest';
import pg from 'pg';
import type { DuckDBInstance } from '@duckdb/node-api';
import { startTestGateway, type TestGateway } from './demo-gateway.js';
import { openDemoDatabase } from './union-database.js';

export interface DemoWithReference {
  gateway: TestGateway;
  client: pg.Client;
  /** Rows of `sql` run on the one database holding all the parties' data. */
  direct(sql: string): Promise<unknown[][]>;
}

export function demoWithReference(): DemoWithReference {
  let reference: DuckDBInstance | undefined;
  const demo = {
    direct: async (sql: string): Promise<unknown[][]> => {
      const connection = await reference!.connect();
      try {
        return (await connection.runAndReadAll(sql)).getRowsJS() as unknown[][];
      } finally {
        connection.closeSync();
      }
    },
  } as DemoWithReference;
  beforeAll(async () => {
    demo.gateway = await startTestGateway();
    const g = demo.gateway;
    demo.client = new pg.Client({ host: g.host, port: g.port, user: g.user, password: g.password, database: g.database });
    await demo.client.connect();
    reference = await openDemoDatabase(g.dataDir);
  }, 120_000);
  afterAll(async () => {
    await demo.client?.end();
    reference?.closeSync();
    await demo.gateway?.stop();
  });
  return demo;
}
