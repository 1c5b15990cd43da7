/**
 * The local PostgreSQL's twin of a gateway's federation: the same servers, partitioned
 * tables and foreign partitions, made with postgres_fdw from what the gateway's own
 * catalog says, in a scratch database of the test's own. Tests compare what clients see
 * on both.
 */
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';

export interface GatewayLogin {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** The option key postgres_fdw uses where the c2d wrapper says `table`. */
const fdwOption = (key: string): string => (key === 'table' ? 'table_name' : key);

function optionList(options: readonly string[], rename: (key: string) => string = (k) => k): string {
  return options.map((o) => `${rename(o.slice(0, o.indexOf('=')))} '${o.slice(o.indexOf('=') + 1).replaceAll("'", "''")}'`).join(', ');
}

export async function postgresTwin(gateway: GatewayLogin, purpose: string): Promise<TestDatabase> {
  const client = new pg.Client(gateway);
  await client.connect();
  const setup: string[] = ['CREATE EXTENSION postgres_fdw'];
  try {
    const servers = await client.query(`SELECT srvname, srvoptions FROM pg_foreign_server ORDER BY srvname`);
    for (const s of servers.rows as { srvname: string; srvoptions: string[] }[]) {
      setup.push(`CREATE SERVER ${s.srvname} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (${optionList(s.srvoptions)})`);
    }
    const tables = await client.query(
      `SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid ORDER BY c.relname`,
    );
    for (const table of (tables.rows as { relname: string }[]).map((r) => r.relname)) {
      const columns = await client.query(
        `SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull FROM pg_attribute
          WHERE attrelid = '${table}'::regclass AND attnum > 0 ORDER BY attnum`,
      );
      const defs = (columns.rows as { attname: string; type: string; attnotnull: boolean }[])
        .map((c) => `${c.attname} ${c.type}${c.attnotnull ? ' NOT NULL' : ''}`);
      const key = await client.query(`SELECT pg_get_partkeydef('${table}'::regclass) AS key`);
      setup.push(`CREATE TABLE ${table} (${defs.join(', ')}) PARTITION BY ${key.rows[0].key}`);
      const partitions = await client.query(
        `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound, s.srvname, f.ftoptions
           FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           JOIN pg_foreign_table f ON f.ftrelid = c.oid JOIN pg_foreign_server s ON s.oid = f.ftserver
          WHERE i.inhparent = '${table}'::regclass ORDER BY c.relname`,
      );
      for (const p of partitions.rows as { relname: string; bound: string; srvname: string; ftoptions: string[] }[]) {
        setup.push(`CREATE FOREIGN TABLE ${p.relname} PARTITION OF ${table} ${p.bound} SERVER ${p.srvname} OPTIONS (${optionList(p.ftoptions, fdwOption)})`);
      }
    }
  } finally {
    await client.end();
  }
  return createTestDatabase(purpose, setup);
}
