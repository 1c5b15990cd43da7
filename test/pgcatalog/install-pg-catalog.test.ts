import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { refreshPgCatalog } from '../../src/pgcatalog/index.js';
import { emulatedFunctions, emulatedRelations, emulatedInformationSchema } from '../../src/sql/rewrite/emulation.js';
import { initSqlParser, parseStatements, toDuckDbSql } from '../../src/sql/index.js';
import { catalogOptions, demoDuckDb } from './demo-duckdb.js';

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  await initSqlParser();
  ({ instance, connection } = await demoDuckDb());
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
});

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(toDuckDbSql(parseStatements(sql)[0]!));
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

describe('installPgCatalog', () => {
  it('installs every relation and function the rewrite sends queries to', async () => {
    const tables = await connection.runAndReadAll(
      `SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'c2d_pgcatalog'`,
    );
    const names = new Set(tables.getRows().map(([schema, name]) => `${String(schema)}.${String(name)}`));
    for (const relation of emulatedRelations) expect(names.has(`main.${relation}`), relation).toBe(true);
    for (const relation of emulatedInformationSchema) expect(names.has(`infoschema.${relation}`), relation).toBe(true);
    const macros = await connection.runAndReadAll(
      `SELECT DISTINCT function_name FROM duckdb_functions() WHERE database_name = 'c2d_pgcatalog'`,
    );
    const functions = new Set(macros.getRows().map(([name]) => String(name)));
    for (const name of emulatedFunctions) expect(functions.has(name), name).toBe(true);
  });

  it('answers the session functions from the install options', async () => {
    const [row] = await query('SELECT version() AS v, current_database() AS d, current_user AS u, current_schema() AS s, current_schemas(true) AS p');
    expect(row).toEqual({ v: catalogOptions.versionString, d: 'c2d', u: 'postgres', s: 'public', p: ['pg_catalog', 'public'] });
    const [setting] = await query("SELECT setting FROM pg_settings WHERE name = 'server_version_num'");
    expect(setting).toEqual({ setting: '160004' });
  });

  it('describes user tables with PostgreSQL types and format_type', async () => {
    const rows = await query(`
      SELECT a.attname, a.atttypid, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull
        FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       WHERE c.relname = 'patients' ORDER BY a.attnum`);
    expect(rows.map((r) => [r['attname'], r['atttypid'], r['type'], r['attnotnull']])).toEqual([
      ['id', 20, 'bigint', true],
      ['name', 25, 'text', false],
      ['party', 25, 'text', true],
      ['age', 23, 'integer', false],
      ['diagnosis', 25, 'text', false],
      ['admitted', 1082, 'date', false],
      ['score', 701, 'double precision', false],
      ['cost', 1700, 'numeric(10,2)', false],
      ['tags', 1009, 'text[]', false],
    ]);
  });

  it('keeps OIDs stable across refreshes and gives new tables new OIDs', async () => {
    const before = await query("SELECT oid FROM pg_class WHERE relname = 'patients'");
    await connection.run('CREATE TABLE visits (id INTEGER, patient BIGINT)');
    await refreshPgCatalog(connection, catalogOptions);
    const after = await query("SELECT oid FROM pg_class WHERE relname = 'patients'");
    const visits = await query("SELECT oid, relkind FROM pg_class WHERE relname = 'visits'");
    expect(after).toEqual(before);
    expect(visits).toHaveLength(1);
    expect(Number(visits[0]!['oid'])).toBeGreaterThan(16384);
    await connection.run('DROP TABLE visits');
    await refreshPgCatalog(connection, catalogOptions);
    expect(await query("SELECT oid FROM pg_class WHERE relname = 'visits'")).toEqual([]);
  });

  it('serves pgjdbc-style regclass lookups and information_schema', async () => {
    const [pgClass] = await query("SELECT 'pg_class'::regclass AS oid, 'public.patients'::regclass::oid > 16384 AS user");
    expect(pgClass).toEqual({ oid: 1259, user: true });
    const columns = await query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'notes' ORDER BY ordinal_position",
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'integer' },
      { column_name: 'body', data_type: 'text' },
      { column_name: 'created', data_type: 'timestamp without time zone' },
    ]);
  });
});
