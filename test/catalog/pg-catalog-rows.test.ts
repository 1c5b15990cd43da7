/**
 * The catalog's pg_catalog rows against PostgreSQL's own: the same DDL runs on a fresh
 * PostgreSQL database (with postgres_fdw standing in for c2d) and through the store, and
 * every compared column of pg_class, pg_attribute, pg_partitioned_table, pg_inherits,
 * pg_foreign_server, pg_foreign_table and pg_user_mappings must match, names for OIDs.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgCatalogRows, type CatalogStore, type PgCatalogRows } from '../../src/catalog/index.js';
import { backends, freshCatalog, T } from './catalog-backends.js';

const DDL = `
  CREATE EXTENSION postgres_fdw;
  CREATE SERVER bmc FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '10.0.0.1', port '7000', dbname 'bmc');
  CREATE SERVER mgh VERSION '15' FOREIGN DATA WRAPPER postgres_fdw;
  CREATE USER MAPPING FOR postgres SERVER bmc OPTIONS (user 'a', password 'p');
  CREATE USER MAPPING FOR PUBLIC SERVER mgh;
  CREATE SCHEMA research;
  CREATE TABLE visits (party text, patient_id bigint NOT NULL, code varchar(10), seen_on date, amounts numeric(10,2)[]) PARTITION BY LIST (party);
  CREATE FOREIGN TABLE visits_bmc PARTITION OF visits FOR VALUES IN ('bmc', 'it''s') SERVER bmc OPTIONS (table_name 'visits');
  CREATE FOREIGN TABLE research.visits_mgh PARTITION OF visits FOR VALUES IN ('mgh', NULL) SERVER mgh OPTIONS (schema_name 'public', table_name 'visits');
  CREATE TABLE scores (k int, score float8, flag boolean) PARTITION BY LIST (k);
  CREATE FOREIGN TABLE scores_1 PARTITION OF scores FOR VALUES IN (1, -2) SERVER bmc;
  CREATE FOREIGN TABLE meds (id int NOT NULL, name text, dose numeric(6,2)) SERVER bmc OPTIONS (table_name 'medications');
`;

async function sameThroughStore(store: CatalogStore): Promise<void> {
  await store.createRole({ name: 'postgres', superuser: true, canLogin: true });
  await store.createServer({ name: 'bmc', wrapper: 'c2d', owner: 'c2d', options: [['host', '10.0.0.1'], ['port', '7000'], ['dbname', 'bmc']] });
  await store.createServer({ name: 'mgh', wrapper: 'c2d', owner: 'c2d', version: '15' });
  await store.createUserMapping({ role: 'postgres', server: 'bmc', options: [['user', 'a'], ['password', 'p']] });
  await store.createUserMapping({ role: null, server: 'mgh' });
  await store.createSchema({ name: 'research', owner: 'c2d' });
  await store.createPartitionedTable({
    table: { name: 'visits' }, owner: 'c2d', partitionBy: { strategy: 'list', columns: ['party'] },
    columns: [
      { name: 'party', typeOid: T.text }, { name: 'patient_id', typeOid: T.int8, notNull: true },
      { name: 'code', typeOid: T.varchar, typmod: 14 }, { name: 'seen_on', typeOid: T.date }, { name: 'amounts', typeOid: 1231, typmod: 655366 },
    ],
  });
  await store.createForeignTable({ table: { name: 'visits_bmc' }, owner: 'c2d', server: 'bmc', options: [['table_name', 'visits']], partitionOf: { parent: { name: 'visits' }, values: ['bmc', "it's"] } });
  await store.createForeignTable({
    table: { schema: 'research', name: 'visits_mgh' }, owner: 'c2d', server: 'mgh',
    options: [['schema_name', 'public'], ['table_name', 'visits']], partitionOf: { parent: { name: 'visits' }, values: ['mgh', null] },
  });
  await store.createPartitionedTable({
    table: { name: 'scores' }, owner: 'c2d', partitionBy: { strategy: 'list', columns: ['k'] },
    columns: [{ name: 'k', typeOid: T.int4 }, { name: 'score', typeOid: 701 }, { name: 'flag', typeOid: T.bool }],
  });
  await store.createForeignTable({ table: { name: 'scores_1' }, owner: 'c2d', server: 'bmc', partitionOf: { parent: { name: 'scores' }, values: ['1', '-2'] } });
  await store.createForeignTable({
    table: { name: 'meds' }, owner: 'c2d', server: 'bmc', options: [['table_name', 'medications']],
    columns: [{ name: 'id', typeOid: T.int4, notNull: true }, { name: 'name', typeOid: T.text }, { name: 'dose', typeOid: T.numeric, typmod: 393222 }],
  });
}

type Row = Record<string, unknown>;
const byKey = (rows: Row[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Reads PostgreSQL's rows, OIDs replaced by names. */
async function postgresSide(client: pg.Client, relations: string[]): Promise<Record<string, Row[]>> {
  const q = async (sql: string) => byKey((await client.query(sql, [relations])).rows as Row[]);
  return {
    class: await q(`SELECT c.relname, n.nspname, c.relkind, c.relnatts, c.relispartition, c.relhassubclass, c.relpersistence,
        c.relreplident, c.relam::int, c.reltuples, c.relpages, c.relhasindex, c.relchecks, c.relowner::int,
        pg_get_expr(c.relpartbound, c.oid) AS relpartbound
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = ANY($1)`),
    attribute: await q(`SELECT c.relname, a.attname, a.attnum, a.atttypid::int, a.atttypmod, a.attnotnull, a.attlen, a.attbyval,
        a.attalign, a.attstorage, a.attcollation::int, a.attndims, a.attislocal, a.attinhcount, a.attstattarget, a.attcacheoff,
        a.attisdropped, a.atthasdef, a.attidentity, a.attgenerated
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = ANY($1) AND a.attnum > 0`),
    partitioned: await q(`SELECT c.relname, p.partstrat, p.partnatts, p.partdefid::int, p.partattrs::text, p.partclass::text, p.partcollation::text
      FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid WHERE c.relname = ANY($1)`),
    inherits: await q(`SELECT c.relname AS child, p.relname AS parent, i.inhseqno, i.inhdetachpending
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE c.relname = ANY($1)`),
    server: await q(`SELECT srvname, srvtype, srvversion, srvoptions, srvowner::int, srvacl FROM pg_foreign_server WHERE $1::text[] IS NOT NULL`),
    foreignTable: await q(`SELECT c.relname, s.srvname, f.ftoptions FROM pg_foreign_table f JOIN pg_class c ON c.oid = f.ftrelid
      JOIN pg_foreign_server s ON s.oid = f.ftserver WHERE c.relname = ANY($1)`),
    userMappings: await q(`SELECT srvname, usename, umoptions, umuser = 0 AS public FROM pg_user_mappings WHERE $1::text[] IS NOT NULL`),
  };
}

/** The store's rows in the same shape. */
function storeSide(rows: PgCatalogRows): Record<string, Row[]> {
  const relname = new Map(rows.pg_class.map((c) => [c.oid, c.relname]));
  const nspname = new Map(rows.pg_namespace.map((n) => [n.oid, n.nspname]));
  const srvname = new Map(rows.pg_foreign_server.map((s) => [s.oid, s.srvname]));
  const vector = (v: unknown) => (v as number[]).join(' ');
  return {
    class: byKey(rows.pg_class.map((c) => ({
      relname: c.relname, nspname: nspname.get(c.relnamespace as number), relkind: c.relkind, relnatts: c.relnatts,
      relispartition: c.relispartition, relhassubclass: c.relhassubclass, relpersistence: c.relpersistence, relreplident: c.relreplident,
      relam: c.relam, reltuples: c.reltuples, relpages: c.relpages, relhasindex: c.relhasindex, relchecks: c.relchecks, relowner: c.relowner,
      relpartbound: c.relpartbound,
    }))),
    attribute: byKey(rows.pg_attribute.map((a) => ({
      relname: relname.get(a.attrelid as number), attname: a.attname, attnum: a.attnum, atttypid: a.atttypid, atttypmod: a.atttypmod,
      attnotnull: a.attnotnull, attlen: a.attlen, attbyval: a.attbyval, attalign: a.attalign, attstorage: a.attstorage,
      attcollation: a.attcollation, attndims: a.attndims, attislocal: a.attislocal, attinhcount: a.attinhcount,
      attstattarget: a.attstattarget, attcacheoff: a.attcacheoff, attisdropped: a.attisdropped, atthasdef: a.atthasdef,
      attidentity: a.attidentity, attgenerated: a.attgenerated,
    }))),
    partitioned: byKey(rows.pg_partitioned_table.map((p) => ({
      relname: relname.get(p.partrelid as number), partstrat: p.partstrat, partnatts: p.partnatts, partdefid: p.partdefid,
      partattrs: vector(p.partattrs), partclass: vector(p.partclass), partcollation: vector(p.partcollation),
    }))),
    inherits: byKey(rows.pg_inherits.map((i) => ({
      child: relname.get(i.inhrelid as number), parent: relname.get(i.inhparent as number), inhseqno: i.inhseqno, inhdetachpending: i.inhdetachpending,
    }))),
    server: byKey(rows.pg_foreign_server.map((s) => ({
      srvname: s.srvname, srvtype: s.srvtype, srvversion: s.srvversion, srvoptions: s.srvoptions, srvowner: s.srvowner, srvacl: s.srvacl,
    }))),
    foreignTable: byKey(rows.pg_foreign_table.map((f) => ({
      relname: relname.get(f.ftrelid as number), srvname: srvname.get(f.ftserver as number), ftoptions: f.ftoptions,
    }))),
    userMappings: byKey(rows.pg_user_mappings.map((m) => ({ srvname: m.srvname, usename: m.usename, umoptions: m.umoptions, public: m.umuser === 0 }))),
  };
}

describe('pg_catalog rows match PostgreSQL 15', () => {
  const database = `c2d_test_catalog_rows_${process.pid}`;
  const admin = { host: '127.0.0.1', port: 5432, user: 'postgres' };
  let client: pg.Client;

  beforeAll(async () => {
    const c = new pg.Client({ ...admin, database: 'postgres' });
    await c.connect();
    await c.query(`CREATE DATABASE ${database}`);
    await c.end();
    client = new pg.Client({ ...admin, database });
    await client.connect();
    await client.query(DDL);
  });
  afterAll(async () => {
    await client?.end();
    const c = new pg.Client({ ...admin, database: 'postgres' });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await c.end();
  });

  it('for servers, mappings, a federated table with partitions in two schemas, and a plain foreign table', async () => {
    const { store, done } = await freshCatalog(backends[0][1]);
    try {
      await sameThroughStore(store);
      const snap = await store.snapshot();
      const ours = storeSide(pgCatalogRows(snap));
      const theirs = await postgresSide(client, snap.relations.map((r) => r.name));
      expect(Object.fromEntries(Object.entries(theirs).map(([k, v]) => [k, v.length]))).toEqual({
        class: 6, attribute: 24, partitioned: 2, inherits: 3, server: 2, foreignTable: 4, userMappings: 2,
      });
      for (const key of Object.keys(theirs)) expect(ours[key], key).toEqual(theirs[key]);

      const rows = pgCatalogRows(snap);
      expect(rows.pg_roles.find((r) => r.rolname === 'postgres')).toMatchObject({ rolsuper: true, rolcanlogin: true, rolpassword: '********' });
      expect(rows.pg_namespace.map((n) => n.nspname)).toEqual(['public', 'research']);
    } finally {
      await done();
    }
  });

  it('labels a column in pg_seclabel with pg_class as its class', async () => {
    const { store, done } = await freshCatalog(backends[0][1]);
    try {
      await sameThroughStore(store);
      await store.setSecurityLabel({ relation: { name: 'visits' }, column: 'patient_id', label: 'protected' });
      const snap = await store.snapshot();
      expect(pgCatalogRows(snap).pg_seclabel).toEqual([
        { objoid: snap.relation({ name: 'visits' })!.oid, classoid: 1259, objsubid: 2, provider: 'c2d', label: 'protected' },
      ]);
    } finally {
      await done();
    }
  });
});
