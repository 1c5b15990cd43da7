/**
 * The emulation follows the federation catalog: rebuilt once per catalog version (not per
 * query, and once for many sessions asking together), with the catalog's objects in
 * pg_catalog; partition bounds and their implicit constraints print as PostgreSQL prints
 * them for the same tables (compared with the local PostgreSQL); the gateway DuckDB's own
 * objects never share an OID with the catalog's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CatalogStore } from '../../src/catalog/index.js';
import { installPgCatalog, PgCatalogSync } from '../../src/pgcatalog/index.js';
import { readsCatalog } from '../../src/pgcatalog/catalog-sync.js';
import { initSqlParser, parseStatements, toDuckDbSql } from '../../src/sql/index.js';
import { createTestDatabase, LOCAL_POSTGRES, type TestDatabase } from '../support/postgres-database.js';

const T = { int4: 23, int8: 20, text: 25, varchar: 1043 } as const;

let dir: string;
let store: CatalogStore;
let instance: DuckDBInstance;
let duck: DuckDBConnection;
let postgres: TestDatabase;
let snapshots = 0;
let sync: PgCatalogSync;

/** The same partitioned tables, as PostgreSQL holds them (plain partitions suffice for bounds). */
const postgresTables = [
  'CREATE TABLE v (party text, k int) PARTITION BY LIST (party)',
  "CREATE TABLE v_mgh PARTITION OF v FOR VALUES IN ('mgh', NULL)",
  "CREATE TABLE v_ab PARTITION OF v FOR VALUES IN ('a', 'b''s')",
  'CREATE TABLE w (party text, k int) PARTITION BY LIST (k)',
  "CREATE TABLE w_1 PARTITION OF w FOR VALUES IN (1, -2)",
  'CREATE TABLE w_3 PARTITION OF w FOR VALUES IN (3)',
  'CREATE TABLE u (party varchar(5), k int) PARTITION BY LIST (party)',
  "CREATE TABLE u_x PARTITION OF u FOR VALUES IN ('x')",
];

async function rows(sql: string): Promise<unknown[][]> {
  const [statement] = parseStatements(sql);
  const reader = await duck.runAndReadAll(toDuckDbSql(statement!));
  return reader.getRowsJson() as unknown[][];
}

beforeAll(async () => {
  await initSqlParser();
  dir = await mkdtemp(join(tmpdir(), 'c2d-catalog-sync-'));
  store = await CatalogStore.open(join(dir, 'catalog.sqlite'));
  await store.createServer({ name: 'bmc', wrapper: 'c2d', owner: 'c2d', options: [['host', '127.0.0.1'], ['port', '7001']] });
  const partitioned = [
    { name: 'v', key: 'party', columns: [{ name: 'party', typeOid: T.text }, { name: 'k', typeOid: T.int4 }], parts: [['v_mgh', ['mgh', null]], ['v_ab', ['a', "b's"]]] },
    { name: 'w', key: 'k', columns: [{ name: 'party', typeOid: T.text }, { name: 'k', typeOid: T.int4 }], parts: [['w_1', ['1', '-2']], ['w_3', ['3']]] },
    { name: 'u', key: 'party', columns: [{ name: 'party', typeOid: T.varchar, typmod: 9 }, { name: 'k', typeOid: T.int4 }], parts: [['u_x', ['x']]] },
  ] as const;
  for (const t of partitioned) {
    await store.createPartitionedTable({ table: { name: t.name }, owner: 'c2d', columns: t.columns, partitionBy: { strategy: 'list', columns: [t.key] } });
    for (const [name, values] of t.parts) {
      await store.createForeignTable({ table: { name }, owner: 'c2d', server: 'bmc', options: [['table', t.name]], partitionOf: { parent: { name: t.name }, values: [...values] } });
    }
  }
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
  // An object of the gateway's own DuckDB, next to the catalog's.
  await duck.run('CREATE TABLE local_notes (id INTEGER, body VARCHAR)');
  await installPgCatalog(duck, { database: 'c2d', user: 'c2d', serverVersion: '15.0', versionString: 'PostgreSQL 15.0' });
  const counting = { version: () => store.version(), snapshot: () => (snapshots++, store.snapshot()) };
  sync = new PgCatalogSync(instance, counting, { database: 'c2d', user: 'c2d' });
  postgres = await createTestDatabase('catalog_sync', postgresTables);
});

afterAll(async () => {
  duck?.closeSync();
  instance?.closeSync();
  await store?.close();
  await postgres?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the emulation follows the federation catalog', () => {
  it('rebuilds only when the catalog version changed, once for concurrent callers', async () => {
    await sync.ensureFresh();
    expect(snapshots).toBe(1);
    await sync.ensureFresh();
    await sync.ensureFresh();
    expect(snapshots).toBe(1);
    expect(await rows("SELECT srvname FROM pg_foreign_server ORDER BY 1")).toEqual([['bmc']]);

    await store.createServer({ name: 'mgh', wrapper: 'c2d', owner: 'c2d', options: [['host', '127.0.0.1']] });
    await Promise.all([sync.ensureFresh(), sync.ensureFresh(), sync.ensureFresh(), sync.ensureFresh()]);
    expect(snapshots).toBe(2);
    expect(sync.version).toBe(await store.version());
    expect(await rows("SELECT srvname FROM pg_foreign_server ORDER BY 1")).toEqual([['bmc'], ['mgh']]);

    await store.dropServers({ names: ['mgh'], ifExists: false, cascade: false });
    await sync.ensureFresh();
    expect(snapshots).toBe(3);
    expect(await rows("SELECT srvname FROM pg_foreign_server ORDER BY 1")).toEqual([['bmc']]);
  });

  it('prints partition bounds and partition constraints as PostgreSQL does', async () => {
    await sync.ensureFresh();
    const sql = `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), pg_get_partition_constraintdef(c.oid)
                   FROM pg_class c WHERE c.relispartition ORDER BY 1`;
    const client = new pg.Client({ ...LOCAL_POSTGRES, database: postgres.name });
    await client.connect();
    try {
      const theirs = (await client.query({ text: sql, rowMode: 'array' })).rows;
      expect(theirs).toHaveLength(5);
      expect(await rows(sql)).toEqual(theirs);
      const keys = `SELECT c.relname, pg_get_partkeydef(c.oid) FROM pg_class c WHERE c.relkind = 'p' ORDER BY 1`;
      expect(await rows(keys)).toEqual((await client.query({ text: keys, rowMode: 'array' })).rows);
    } finally {
      await client.end();
    }
  });

  it('gives the gateway DuckDB\'s own objects OIDs the catalog never allocates', async () => {
    await sync.ensureFresh();
    const [[local]] = (await rows("SELECT oid FROM pg_class WHERE relname = 'local_notes'")) as [[number]];
    expect(Number(local)).toBeGreaterThanOrEqual(1_000_000_000);
    const catalogOids = (await store.snapshot()).relations.map((r) => r.oid);
    expect(Math.max(...catalogOids)).toBeLessThan(1_000_000_000);
    const [[all, distinct]] = (await rows('SELECT count(*), count(DISTINCT oid) FROM pg_class')) as [[number, number]];
    expect(Number(distinct)).toBe(Number(all));
  });

  it('shows the catalog\'s roles, never their SCRAM verifiers', async () => {
    await store.createRole({ name: 'auditor', password: 'secret', canLogin: true });
    expect((await store.snapshot()).role('auditor')?.verifier).toMatch(/^SCRAM-SHA-256\$/);
    await sync.ensureFresh();
    expect(await rows("SELECT rolname, rolpassword FROM pg_authid WHERE rolname = 'auditor'")).toEqual([['auditor', null]]);
    expect(await rows("SELECT rolname, rolpassword, rolcanlogin FROM pg_roles WHERE rolname = 'auditor'")).toEqual([['auditor', '********', true]]);
    expect(await rows("SELECT usename, passwd FROM pg_user WHERE usename = 'auditor'")).toEqual([['auditor', '********']]);
    await store.createUserMapping({ role: 'auditor', server: 'bmc', options: [['token', 't-secret']] });
    await sync.ensureFresh();
    expect(await rows("SELECT srvname, usename, umoptions FROM pg_user_mappings")).toEqual([['bmc', 'auditor', null]]);
    expect(await rows('SELECT umoptions FROM pg_user_mapping')).toEqual([[null]]);
  });

  it('checks the catalog version only for queries that read the catalog', () => {
    const reads = (sql: string): boolean => readsCatalog(parseStatements(sql)[0]!.ast as Record<string, unknown>);
    expect(reads("SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relkind = 'p'")).toBe(true);
    expect(reads('SELECT * FROM pg_class')).toBe(true);
    expect(reads("SELECT table_name FROM information_schema.tables")).toBe(true);
    expect(reads("SELECT 'patients'::regclass::oid")).toBe(true);
    expect(reads('SELECT format_type(23, -1)')).toBe(true);
    expect(reads("SELECT party, count(*) FROM patients WHERE sex = 'F' GROUP BY party")).toBe(false);
    expect(reads('SELECT version(), current_database()')).toBe(false);
  });
});
