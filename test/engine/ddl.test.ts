/**
 * SQL/MED DDL through a session lands in the federation catalog (SQLite file): servers,
 * a federated table partitioned by party with foreign partitions, security labels, user
 * mappings, drops; errors with PostgreSQL's SQLSTATEs; nothing half-created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CatalogStore } from '../../src/catalog/index.js';
import { createLocalEngine } from '../../src/engine/index.js';
import type { EngineSession } from '../../src/server/engine.js';
import { PgError } from '../../src/server/pg-error.js';

let dir: string;
let store: CatalogStore;
let instance: DuckDBInstance;
let session: EngineSession;
const notices: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c2d-ddl-'));
  store = await CatalogStore.open(join(dir, 'catalog.sqlite'));
  instance = await DuckDBInstance.create(':memory:');
  const engine = await createLocalEngine({ instance, database: 'c2d', productVersion: 'test', catalog: store });
  session = await engine.openSession(
    { user: 'c2d', database: 'c2d', parameters: {}, remoteAddress: '127.0.0.1' },
    { notice: (_s, m) => notices.push(m), parameterStatus: () => {} },
  );
});

afterAll(async () => {
  await session?.close();
  await store?.close();
  instance?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function run(sql: string): Promise<string> {
  let tag = '';
  for (const statement of session.parse(sql)) {
    const prepared = await session.prepare(statement, []);
    const execution = await prepared.execute([], { signal: new AbortController().signal });
    if (execution.kind !== 'command') throw new Error('expected a command');
    tag = execution.commandTag;
  }
  return tag;
}

async function failure(sql: string): Promise<PgError> {
  try {
    await run(sql);
  } catch (error) {
    expect(error).toBeInstanceOf(PgError);
    return error as PgError;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('SQL/MED DDL', () => {
  it('registers parties and a federated table partitioned by party', async () => {
    for (const party of ['bmc', 'mgh']) {
      expect(await run(`CREATE SERVER ${party} FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port '7001')`)).toBe('CREATE SERVER');
    }
    expect(
      await run('CREATE TABLE patients (party text NOT NULL, patient_id bigint, national_id varchar(12), dose numeric(10,2), seen date[]) PARTITION BY LIST (party)'),
    ).toBe('CREATE TABLE');
    expect(await run(`CREATE FOREIGN TABLE patients_bmc PARTITION OF patients FOR VALUES IN ('bmc') SERVER bmc OPTIONS (table 'patients')`)).toBe(
      'CREATE FOREIGN TABLE',
    );
    await run(`CREATE FOREIGN TABLE patients_mgh PARTITION OF patients FOR VALUES IN ('mgh') SERVER mgh OPTIONS (table 'patients')`);
    expect(await run(`SECURITY LABEL FOR c2d ON COLUMN patients.national_id IS 'protected'`)).toBe('SECURITY LABEL');
    expect(await run('CREATE USER MAPPING FOR CURRENT_USER SERVER bmc')).toBe('CREATE USER MAPPING');

    const snapshot = await store.snapshot();
    const parent = snapshot.relation({ name: 'patients' })!;
    expect(parent.columns.map((c) => [c.name, c.typeOid, c.typmod])).toEqual([
      ['party', 25, -1],
      ['patient_id', 20, -1],
      ['national_id', 1043, 16],
      ['dose', 1700, (10 << 16) + 2 + 4],
      ['seen', 1182, -1],
    ]);
    expect(snapshot.partitionsOf(parent.oid).map((p) => p.name).sort()).toEqual(['patients_bmc', 'patients_mgh']);
    const nationalId = parent.columns.find((c) => c.name === 'national_id')!;
    expect(snapshot.securityLabel(parent.oid, nationalId.attnum)).toBe('protected');
  });

  it('answers mistakes with PostgreSQL’s SQLSTATEs and leaves nothing behind', async () => {
    expect((await failure(`CREATE SERVER bmc FOREIGN DATA WRAPPER c2d`)).code).toBe('42710');
    expect((await failure(`CREATE SERVER x FOREIGN DATA WRAPPER postgres_fdw`)).code).toBe('42704');
    expect((await failure(`CREATE FOREIGN TABLE p_nope PARTITION OF patients FOR VALUES IN ('x') SERVER nope`)).code).toBe('42704');
    expect((await failure(`CREATE FOREIGN TABLE p_again PARTITION OF patients FOR VALUES IN ('bmc') SERVER bmc`)).code).toBe('42P17');
    expect((await failure('CREATE TABLE plain (a int)')).code).toBe('0A000');
    expect((await failure('CREATE TABLE t (a no_such_type) PARTITION BY LIST (a)')).code).toBe('42704');
    expect((await failure('DROP SERVER bmc')).code).toBe('2BP01');
    const snapshot = await store.snapshot();
    expect(snapshot.relation({ name: 'p_nope' })).toBeUndefined();
    expect(snapshot.relation({ name: 'p_again' })).toBeUndefined();
    expect(snapshot.server('x')).toBeUndefined();
  });

  it('alters servers, tables, partitions, schemas and user mappings', async () => {
    expect(await run(`ALTER SERVER bmc OPTIONS (SET port '7101', ADD party 'bmc_node')`)).toBe('ALTER SERVER');
    let snapshot = await store.snapshot();
    expect(snapshot.server('bmc')!.options).toEqual([['host', '127.0.0.1'], ['port', '7101'], ['party', 'bmc_node']]);
    expect(await run(`ALTER FOREIGN TABLE patients_bmc OPTIONS (SET table 'patient_master')`)).toBe('ALTER FOREIGN TABLE');
    expect(await run('ALTER TABLE patients ADD COLUMN zip text')).toBe('ALTER TABLE');
    expect(await run('ALTER TABLE patients RENAME COLUMN dose TO dose_mg')).toBe('ALTER TABLE');
    expect(await run('ALTER TABLE patients DETACH PARTITION patients_mgh')).toBe('ALTER TABLE');
    snapshot = await store.snapshot();
    const parent = snapshot.relation({ name: 'patients' })!;
    expect(parent.columns.map((c) => c.name)).toEqual(['party', 'patient_id', 'national_id', 'dose_mg', 'seen', 'zip']);
    expect(snapshot.partitionsOf(parent.oid).map((p) => p.name)).toEqual(['patients_bmc']);
    expect(snapshot.relation({ name: 'patients_bmc' })!.options).toEqual([['table', 'patient_master']]);
    expect(await run(`ALTER TABLE patients ATTACH PARTITION patients_mgh FOR VALUES IN ('mgh')`)).toBe('ALTER TABLE');
    expect((await store.snapshot()).partitionsOf(parent.oid).map((p) => p.name).sort()).toEqual(['patients_bmc', 'patients_mgh']);
    expect(await run('CREATE SCHEMA research')).toBe('CREATE SCHEMA');
    expect(await run('ALTER SERVER mgh RENAME TO mgh_2')).toBe('ALTER SERVER');
    expect(await run('ALTER SERVER mgh_2 RENAME TO mgh')).toBe('ALTER SERVER');
    expect(await run('DROP USER MAPPING FOR CURRENT_USER SERVER bmc')).toBe('DROP USER MAPPING');
    expect((await failure('DROP USER MAPPING FOR CURRENT_USER SERVER bmc')).code).toBe('42704');
    expect((await failure(`ALTER SERVER nope OPTIONS (SET port '1')`)).code).toBe('42704');
    expect((await failure(`ALTER SERVER bmc OPTIONS (SET nothing 'x')`)).code).toBe('42704');
    expect((await failure('ALTER TABLE patients ALTER COLUMN zip SET DEFAULT 1')).code).toBe('0A000');
    expect((await failure('IMPORT FOREIGN SCHEMA public FROM SERVER bmc INTO research')).code).toBe('0A000');
    expect(await run('DROP SCHEMA research')).toBe('DROP SCHEMA');
  });

  it('drops with CASCADE and IF EXISTS, with a notice for what was not there', async () => {
    expect(await run('DROP SERVER mgh CASCADE')).toBe('DROP SERVER');
    expect((await store.snapshot()).relation({ name: 'patients_mgh' })).toBeUndefined();
    expect(await run('DROP FOREIGN TABLE IF EXISTS no_such_table')).toBe('DROP FOREIGN TABLE');
    expect(notices.some((n) => n.includes('no_such_table'))).toBe(true);
    expect(await run('DROP TABLE patients CASCADE')).toBe('DROP TABLE');
    expect((await store.snapshot()).relation({ name: 'patients' })).toBeUndefined();
  });
});
