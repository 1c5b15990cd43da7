/**
 * Servers, user mappings, schemas, roles and security labels: create, alter, drop, and
 * PostgreSQL's errors and notices for each, on SQLite and on PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseScramVerifier } from '../../src/server/auth/scram.js';
import {
  BOOTSTRAP_ROLE_OID,
  PUBLIC_ROLE_OID,
  PUBLIC_SCHEMA_OID,
  type CatalogStore,
} from '../../src/catalog/index.js';
import { backends, expectPgError, freshCatalog, T } from './catalog-backends.js';

describe.each(backends)('catalog objects on %s', (_name, make) => {
  let store: CatalogStore;
  let done: () => Promise<void>;
  beforeEach(async () => {
    ({ store, done } = await freshCatalog(make));
  });
  afterEach(() => done());

  const server = (name: string, options: [string, string][] = []) =>
    store.createServer({ name, wrapper: 'c2d', owner: 'c2d', options });

  it('starts with the bootstrap superuser, public and the c2d wrapper', async () => {
    const snap = await store.snapshot();
    expect(snap.roles).toEqual([{ oid: BOOTSTRAP_ROLE_OID, name: 'c2d', verifier: null, canLogin: true, superuser: true }]);
    expect(snap.schemas).toEqual([{ oid: PUBLIC_SCHEMA_OID, name: 'public', ownerOid: BOOTSTRAP_ROLE_OID }]);
    expect(snap.wrappers).toEqual([{ oid: 16384, name: 'c2d', ownerOid: BOOTSTRAP_ROLE_OID }]);
  });

  it('creates, alters and drops a server, keeping option order', async () => {
    expect(await server('bmc', [['host', '10.0.0.1'], ['port', '7000'], ['engine', 'duckdb'], ['dbname', 'bmc.duckdb']])).toEqual({ notices: [] });
    let snap = await store.snapshot();
    const bmc = snap.server('bmc')!;
    expect(bmc).toMatchObject({ name: 'bmc', ownerOid: BOOTSTRAP_ROLE_OID, wrapperOid: 16384, type: null, version: null });
    expect(bmc.options).toEqual([['host', '10.0.0.1'], ['port', '7000'], ['engine', 'duckdb'], ['dbname', 'bmc.duckdb']]);
    expect(bmc.oid).toBeGreaterThanOrEqual(16385);

    await store.alterServer({
      name: 'bmc',
      version: '1.2',
      options: [{ action: 'set', key: 'port', value: '7001' }, { action: 'drop', key: 'engine' }, { action: 'add', key: 'tls', value: 'on' }],
    });
    await store.alterServer({ name: 'bmc', renameTo: 'bmc2' });
    snap = await store.snapshot();
    expect(snap.server('bmc')).toBeUndefined();
    expect(snap.server('bmc2')).toMatchObject({ oid: bmc.oid, version: '1.2', options: [['host', '10.0.0.1'], ['port', '7001'], ['dbname', 'bmc.duckdb'], ['tls', 'on']] });

    await store.dropServers({ names: ['bmc2'] });
    expect((await store.snapshot()).servers).toEqual([]);
  });

  it('raises PostgreSQL errors and notices for servers', async () => {
    await server('bmc');
    await expectPgError(server('bmc'), '42710', 'server "bmc" already exists');
    const { notices } = await store.createServer({ name: 'bmc', wrapper: 'c2d', owner: 'c2d', ifNotExists: true });
    expect(notices.map((n) => [n.severity, n.code, n.message])).toEqual([['NOTICE', '42710', 'server "bmc" already exists, skipping']]);
    await expectPgError(store.dropServers({ names: ['nosuch'] }), '42704', 'server "nosuch" does not exist');
    const dropped = await store.dropServers({ names: ['nosuch'], ifExists: true });
    expect(dropped.notices.map((n) => [n.code, n.message])).toEqual([['00000', 'server "nosuch" does not exist, skipping']]);
    await expectPgError(store.createServer({ name: 'x', wrapper: 'postgres_fdw', owner: 'c2d' }), '42704', 'foreign-data wrapper "postgres_fdw" does not exist');
    await expectPgError(store.createServer({ name: 'x', wrapper: 'c2d', owner: 'nobody' }), '42704', 'role "nobody" does not exist');
    await expectPgError(server('x', [['host', 'a'], ['host', 'b']]), '42710', 'option "host" provided more than once');
    await expectPgError(store.alterServer({ name: 'bmc', options: [{ action: 'set', key: 'nope', value: '1' }] }), '42704', 'option "nope" not found');
    await expectPgError(store.alterServer({ name: 'bmc', options: [{ action: 'drop', key: 'nope' }] }), '42704', 'option "nope" not found');
    await server('mgh');
    await expectPgError(store.alterServer({ name: 'mgh', renameTo: 'bmc' }), '42710', 'server "bmc" already exists');
    await expectPgError(store.alterServer({ name: 'ghost', version: '1' }), '42704', 'server "ghost" does not exist');
    await expectPgError(server(''), '42601');
    await expectPgError(server('x'.repeat(64)), '42622');
    await expectPgError(server('nul\0byte'), '22021');
  });

  it('refuses to drop a server with dependents unless CASCADE, listing them', async () => {
    await server('bmc');
    await store.createRole({ name: 'analyst', canLogin: true });
    await store.createForeignTable({ table: { name: 'visits' }, owner: 'c2d', server: 'bmc', columns: [{ name: 'id', typeOid: T.int4 }] });
    await store.createUserMapping({ role: 'analyst', server: 'bmc', options: [['token', 'x']] });
    const error = await expectPgError(store.dropServers({ names: ['bmc'] }), '2BP01', 'cannot drop server bmc because other objects depend on it');
    expect(error.detail).toBe('foreign table visits depends on server bmc\nuser mapping for analyst on server bmc depends on server bmc');
    expect(error.hint).toBe('Use DROP ... CASCADE to drop the dependent objects too.');
    expect((await store.snapshot()).server('bmc')).toBeDefined();

    const { notices } = await store.dropServers({ names: ['bmc'], cascade: true });
    expect(notices.map((n) => [n.code, n.message, n.detail])).toEqual([
      ['00000', 'drop cascades to 2 other objects', 'drop cascades to foreign table visits\ndrop cascades to user mapping for analyst on server bmc'],
    ]);
    const snap = await store.snapshot();
    expect([snap.servers, snap.relations, snap.userMappings]).toEqual([[], [], []]);
  });

  it('creates, alters and drops user mappings, for a role and for PUBLIC', async () => {
    await server('bmc');
    await store.createRole({ name: 'analyst' });
    await store.createUserMapping({ role: 'analyst', server: 'bmc', options: [['user', 'a']] });
    await store.createUserMapping({ role: null, server: 'bmc' });
    await expectPgError(store.createUserMapping({ role: 'analyst', server: 'bmc' }), '42710', 'user mapping for "analyst" already exists for server "bmc"');
    await expectPgError(store.createUserMapping({ role: null, server: 'bmc' }), '42710', 'user mapping for "public" already exists for server "bmc"');
    const skipped = await store.createUserMapping({ role: 'analyst', server: 'bmc', ifNotExists: true });
    expect(skipped.notices[0]!.message).toBe('user mapping for "analyst" already exists for server "bmc", skipping');
    await expectPgError(store.createUserMapping({ role: 'ghost', server: 'bmc' }), '42704', 'role "ghost" does not exist');
    await expectPgError(store.createUserMapping({ role: 'analyst', server: 'ghost' }), '42704', 'server "ghost" does not exist');

    await store.alterUserMapping({ role: 'analyst', server: 'bmc', options: [{ action: 'set', key: 'user', value: 'b' }] });
    let snap = await store.snapshot();
    const analyst = snap.role('analyst')!;
    const bmc = snap.server('bmc')!;
    expect(snap.userMapping(bmc.oid, analyst.oid)!.options).toEqual([['user', 'b']]);
    expect(snap.userMapping(bmc.oid, PUBLIC_ROLE_OID)!.options).toEqual([]);

    await store.dropUserMapping({ role: 'analyst', server: 'bmc' });
    await expectPgError(store.dropUserMapping({ role: 'analyst', server: 'bmc' }), '42704', 'user mapping for "analyst" does not exist for server "bmc"');
    const { notices } = await store.dropUserMapping({ role: 'analyst', server: 'bmc', ifExists: true });
    expect(notices.map((n) => [n.code, n.message])).toEqual([['00000', 'user mapping for "analyst" does not exist for server "bmc", skipping']]);
    snap = await store.snapshot();
    expect(snap.userMappings.map((m) => m.roleOid)).toEqual([PUBLIC_ROLE_OID]);
  });

  it('creates, renames and drops schemas, with CASCADE', async () => {
    await server('bmc');
    await store.createSchema({ name: 'research', owner: 'c2d' });
    await expectPgError(store.createSchema({ name: 'research', owner: 'c2d' }), '42P06', 'schema "research" already exists');
    expect((await store.createSchema({ name: 'research', owner: 'c2d', ifNotExists: true })).notices[0]!.message).toBe(
      'schema "research" already exists, skipping');
    await expectPgError(store.createSchema({ name: 'pg_mine', owner: 'c2d' }), '42939', 'unacceptable schema name "pg_mine"');
    await store.createForeignTable({ table: { schema: 'research', name: 'cohort' }, owner: 'c2d', server: 'bmc', columns: [] });
    await expectPgError(
      store.createForeignTable({ table: { schema: 'nowhere', name: 'x' }, owner: 'c2d', server: 'bmc', columns: [] }),
      '3F000', 'schema "nowhere" does not exist');
    await store.alterSchema({ name: 'research', renameTo: 'study' });
    const error = await expectPgError(store.dropSchemas({ names: ['study'] }), '2BP01', 'cannot drop schema study because other objects depend on it');
    expect(error.detail).toBe('foreign table study.cohort depends on schema study');
    await expectPgError(store.dropSchemas({ names: ['study', 'nowhere'], cascade: true }), '3F000', 'schema "nowhere" does not exist');
    expect((await store.snapshot()).schema('study')).toBeDefined();
    const { notices } = await store.dropSchemas({ names: ['study', 'nowhere'], cascade: true, ifExists: true });
    expect(notices.map((n) => n.message)).toEqual(['schema "nowhere" does not exist, skipping', 'drop cascades to foreign table study.cohort']);
    const snap = await store.snapshot();
    expect(snap.schemas.map((s) => s.name)).toEqual(['public']);
    expect(snap.relations).toEqual([]);
  });

  it('creates roles with SCRAM verifiers only, alters and drops them', async () => {
    await store.createRole({ name: 'analyst', password: 'analyst', canLogin: true });
    let analyst = (await store.findRole('analyst'))!;
    expect(analyst.canLogin).toBe(true);
    expect(analyst.superuser).toBe(false);
    expect(analyst.verifier).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(analyst.verifier).not.toContain('analyst');
    expect(parseScramVerifier(analyst.verifier!)).not.toBeNull();

    // A verifier given as the password is kept as is (what pg_dumpall emits).
    const verifier = analyst.verifier!;
    await store.createRole({ name: 'copy', password: verifier });
    expect((await store.findRole('copy'))!.verifier).toBe(verifier);

    await expectPgError(store.createRole({ name: 'analyst' }), '42710', 'role "analyst" already exists');
    await expectPgError(store.createRole({ name: 'public' }), '42939', 'role name "public" is reserved');
    const reserved = await expectPgError(store.createRole({ name: 'pg_monitor' }), '42939', 'role name "pg_monitor" is reserved');
    expect(reserved.detail).toBe('Role names starting with "pg_" are reserved.');

    const { notices } = await store.alterRole({ name: 'analyst', password: '', superuser: true, canLogin: false });
    expect(notices.map((n) => n.message)).toEqual(['empty string is not a valid password, clearing password']);
    analyst = (await store.findRole('analyst'))!;
    expect(analyst).toMatchObject({ verifier: null, superuser: true, canLogin: false });
    await store.alterRole({ name: 'analyst', renameTo: 'researcher', password: 'pw' });
    expect(await store.findRole('analyst')).toBeUndefined();
    expect((await store.findRole('researcher'))!.oid).toBe(analyst.oid);
    await expectPgError(store.alterRole({ name: 'researcher', renameTo: 'copy' }), '42710', 'role "copy" already exists');
    await expectPgError(store.alterRole({ name: 'ghost', canLogin: true }), '42704', 'role "ghost" does not exist');

    await expectPgError(store.dropRoles({ names: ['c2d'] }), '2BP01', 'cannot drop role c2d because it is required by the database system');
    await expectPgError(store.dropRoles({ names: ['copy'], currentUser: 'copy' }), '55006', 'current user cannot be dropped');
    await store.dropRoles({ names: ['copy', 'researcher'] });
    expect((await store.snapshot()).roles.map((r) => r.name)).toEqual(['c2d']);
    await expectPgError(store.dropRoles({ names: ['copy'] }), '42704', 'role "copy" does not exist');
    expect((await store.dropRoles({ names: ['copy'], ifExists: true })).notices[0]!.message).toBe('role "copy" does not exist, skipping');
  });

  it('refuses to drop a role that owns objects or has user mappings', async () => {
    await store.createRole({ name: 'dba' });
    await store.createServer({ name: 'bmc', wrapper: 'c2d', owner: 'dba' });
    await store.createPartitionedTable({
      table: { name: 'visits' }, owner: 'dba', columns: [{ name: 'party', typeOid: T.text }], partitionBy: { strategy: 'list', columns: ['party'] },
    });
    await store.createUserMapping({ role: 'dba', server: 'bmc' });
    const error = await expectPgError(store.dropRoles({ names: ['dba'] }), '2BP01', 'role "dba" cannot be dropped because some objects depend on it');
    expect(error.detail).toBe('owner of server bmc\nowner of table visits\nowner of user mapping for dba on server bmc');
    await store.alterServer({ name: 'bmc', owner: 'c2d' });
    await store.alterRelation({ relation: { name: 'visits' }, statement: 'table', actions: [{ action: 'owner', role: 'c2d' }] });
    await store.dropUserMapping({ role: 'dba', server: 'bmc' });
    await store.dropRoles({ names: ['dba'] });
    expect((await store.snapshot()).role('dba')).toBeUndefined();
  });

  it('labels columns and tables for provider c2d, and removes labels', async () => {
    await server('bmc');
    await store.createForeignTable({
      table: { name: 'patients' }, owner: 'c2d', server: 'bmc',
      columns: [{ name: 'id', typeOid: T.int4 }, { name: 'ssn', typeOid: T.text }],
    });
    await store.setSecurityLabel({ relation: { name: 'patients' }, column: 'ssn', label: 'protected' });
    await store.setSecurityLabel({ provider: 'c2d', relation: { name: 'patients' }, column: 'id', label: 'public' });
    await store.setSecurityLabel({ relation: { name: 'patients' }, label: 'public' });
    await store.setSecurityLabel({ relation: { name: 'patients' }, column: 'id', label: 'protected' });
    let snap = await store.snapshot();
    const patients = snap.relation({ name: 'patients' })!;
    expect(snap.labelsOf(patients.oid)).toEqual([
      { relationOid: patients.oid, attnum: 0, provider: 'c2d', label: 'public' },
      { relationOid: patients.oid, attnum: 1, provider: 'c2d', label: 'protected' },
      { relationOid: patients.oid, attnum: 2, provider: 'c2d', label: 'protected' },
    ]);
    await expectPgError(store.setSecurityLabel({ provider: 'selinux', relation: { name: 'patients' }, column: 'id', label: 'x' }),
      '22023', 'security label provider "selinux" is not loaded');
    await expectPgError(store.setSecurityLabel({ relation: { name: 'patients' }, column: 'id', label: 'secret' }),
      '22023', 'invalid security label "secret" for provider c2d');
    await expectPgError(store.setSecurityLabel({ relation: { name: 'patients' }, column: 'dob', label: 'public' }),
      '42703', 'column "dob" of relation "patients" does not exist');
    await expectPgError(store.setSecurityLabel({ relation: { name: 'ghosts' }, column: 'id', label: 'public' }),
      '42P01', 'relation "ghosts" does not exist');

    await store.setSecurityLabel({ relation: { name: 'patients' }, column: 'id', label: null });
    // Dropping a column drops its label.
    await store.alterRelation({ relation: { name: 'patients' }, statement: 'foreign table', actions: [{ action: 'dropColumn', column: 'ssn' }] });
    snap = await store.snapshot();
    expect(snap.labelsOf(patients.oid).map((l) => [l.attnum, l.label])).toEqual([[0, 'public']]);
    await store.dropRelations({ relations: [{ name: 'patients' }], statement: 'foreign table' });
    expect((await store.snapshot()).securityLabels).toEqual([]);
  });
});
