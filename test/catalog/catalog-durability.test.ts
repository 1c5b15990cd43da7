/**
 * What the catalog promises beyond single statements: it survives close and reopen,
 * OIDs are stable and never reused, a statement that fails part-way (a failure injected
 * in the database itself) leaves nothing behind, and two stores sharing one catalog
 * cannot corrupt it with concurrent DDL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogStore, type CatalogSnapshot } from '../../src/catalog/index.js';
import { PgError } from '../../src/server/pg-error.js';
import { backends, type CatalogLocation, expectPgError, freshCatalog, T } from './catalog-backends.js';

/** Everything a snapshot holds, as plain data. */
function contents(snap: CatalogSnapshot) {
  return {
    roles: snap.roles, wrappers: snap.wrappers, schemas: snap.schemas, servers: snap.servers,
    userMappings: snap.userMappings, relations: snap.relations, securityLabels: snap.securityLabels,
  };
}

async function buildFederation(store: CatalogStore): Promise<void> {
  await store.createRole({ name: 'analyst', password: 'analyst', canLogin: true });
  for (const name of ['bmc', 'mgh']) {
    await store.createServer({ name, wrapper: 'c2d', owner: 'c2d', options: [['host', '127.0.0.1'], ['port', name === 'bmc' ? '7001' : '7002']] });
    await store.createUserMapping({ role: 'analyst', server: name, options: [['token', `t-${name}`]] });
  }
  await store.createSchema({ name: 'research', owner: 'analyst' });
  await store.createPartitionedTable({
    table: { name: 'visits' }, owner: 'c2d',
    columns: [{ name: 'party', typeOid: T.text }, { name: 'patient_id', typeOid: T.int8, notNull: true }, { name: 'code', typeOid: T.varchar, typmod: 14 }],
    partitionBy: { strategy: 'list', columns: ['party'] },
  });
  await store.createForeignTable({ table: { name: 'visits_bmc' }, owner: 'c2d', server: 'bmc', options: [['table', 'visits']], partitionOf: { parent: { name: 'visits' }, values: ['bmc'] } });
  await store.createForeignTable({ table: { schema: 'research', name: 'visits_mgh' }, owner: 'c2d', server: 'mgh', options: [['table', 'visits']], partitionOf: { parent: { name: 'visits' }, values: ['mgh', null] } });
  await store.setSecurityLabel({ relation: { name: 'visits' }, column: 'patient_id', label: 'protected' });
  await store.setSecurityLabel({ relation: { name: 'visits_bmc' }, column: 'code', label: 'public' });
}

/** A trigger that makes the database itself fail a write part-way through a statement. */
async function injectFailure(at: CatalogLocation, backend: string, table: string, event: 'INSERT' | 'DELETE', when: string): Promise<void> {
  if (backend === 'sqlite') {
    await at.raw(`CREATE TRIGGER injected_failure BEFORE ${event} ON ${table} WHEN ${when} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
  } else {
    const row = event === 'INSERT' ? 'NEW' : 'OLD';
    await at.raw(`CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF ${when} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN ${row}; END $$;
      CREATE TRIGGER injected_failure BEFORE ${event} ON ${table} FOR EACH ROW EXECUTE FUNCTION injected_failure()`);
  }
}

async function removeFailure(at: CatalogLocation, backend: string, table: string): Promise<void> {
  await at.raw(backend === 'sqlite' ? 'DROP TRIGGER injected_failure' : `DROP TRIGGER injected_failure ON ${table}; DROP FUNCTION injected_failure()`);
}

describe.each(backends)('catalog durability on %s', (backend, make) => {
  let store: CatalogStore;
  let at: CatalogLocation;
  let done: () => Promise<void>;
  beforeEach(async () => {
    ({ store, at, done } = await freshCatalog(make));
  });
  afterEach(() => done());

  it('survives close and reopen with the same contents and OIDs', async () => {
    await buildFederation(store);
    const before = await store.snapshot();
    await store.close();
    store = await CatalogStore.open(at.location);
    const after = await store.snapshot();
    expect(contents(after)).toEqual(contents(before));
    expect(after.version).toBe(before.version);
    expect(after.relation({ schema: 'research', name: 'visits_mgh' })!.partitionOf!.values).toEqual(['mgh', null]);
    expect((await store.findRole('analyst'))!.verifier).toMatch(/^SCRAM-SHA-256\$/);
    // A reopened catalog keeps enforcing its rules.
    await expectPgError(store.createServer({ name: 'bmc', wrapper: 'c2d', owner: 'c2d' }), '42710');
    await expectPgError(
      store.createForeignTable({ table: { name: 'v2' }, owner: 'c2d', server: 'bmc', partitionOf: { parent: { name: 'visits' }, values: [null] } }),
      '42P17', 'partition "v2" would overlap partition "visits_mgh"');
  });

  it('allocates OIDs from 16384 upward, stable, never reused', async () => {
    await store.createServer({ name: 'a', wrapper: 'c2d', owner: 'c2d' });
    await store.createServer({ name: 'b', wrapper: 'c2d', owner: 'c2d' });
    let snap = await store.snapshot();
    const [a, b] = [snap.server('a')!.oid, snap.server('b')!.oid];
    expect([a, b]).toEqual([16385, 16386]);
    await store.dropServers({ names: ['b'] });
    await store.close();
    store = await CatalogStore.open(at.location);
    await store.createServer({ name: 'b', wrapper: 'c2d', owner: 'c2d' });
    await store.alterServer({ name: 'a', renameTo: 'a2', options: [{ action: 'add', key: 'k', value: 'v' }] });
    snap = await store.snapshot();
    expect(snap.server('b')!.oid).toBe(16387);
    expect(snap.server('a2')!.oid).toBe(a);
    // A failed statement's OIDs are never seen, so handing them out again is fine; the
    // counter still only moves forward past every committed object.
    await expectPgError(store.createServer({ name: 'a2', wrapper: 'c2d', owner: 'c2d' }), '42710');
    await store.createRole({ name: 'r' });
    expect((await store.snapshot()).role('r')!.oid).toBe(16388);
  });

  it('leaves nothing behind when the database fails mid-statement', async () => {
    await buildFederation(store);
    const before = contents(await store.snapshot());
    const version = await store.version();

    // The relation row is written, then its second column fails.
    await injectFailure(at, backend, 'c2d_columns', 'INSERT', "NEW.name = 'boom'");
    await expect(store.createForeignTable({
      table: { name: 'half' }, owner: 'c2d', server: 'bmc', columns: [{ name: 'ok', typeOid: T.int4 }, { name: 'boom', typeOid: T.int4 }],
    })).rejects.toThrow(/injected failure/);
    // Partition bound and columns: the failure hits after the relation row.
    await expect(store.alterRelation({
      relation: { name: 'visits' }, statement: 'table', actions: [{ action: 'addColumn', column: { name: 'boom', typeOid: T.int4 } }],
    })).rejects.toThrow(/injected failure/);
    await removeFailure(at, backend, 'c2d_columns');

    // DROP SERVER … CASCADE fails on its last deletion: the tables and mappings it already removed come back.
    await injectFailure(at, backend, 'c2d_servers', 'DELETE', "OLD.name = 'mgh'");
    await expect(store.dropServers({ names: ['mgh'], cascade: true })).rejects.toThrow(/injected failure/);
    await removeFailure(at, backend, 'c2d_servers');

    // A PgError raised after writes (the second table of an import exists) rolls back the first.
    await store.createForeignTable({ table: { schema: 'research', name: 'taken' }, owner: 'c2d', server: 'bmc', columns: [] });
    const withTaken = contents(await store.snapshot());
    await expectPgError(store.importForeignSchema({
      server: 'bmc', remoteSchema: 'main', into: 'research', owner: 'c2d',
      tables: [{ name: 'fresh', columns: [{ name: 'x', typeOid: T.int4 }] }, { name: 'taken', columns: [] }],
    }), '42P07');
    expect(contents(await store.snapshot())).toEqual(withTaken);
    await store.dropRelations({ relations: [{ schema: 'research', name: 'taken' }], statement: 'foreign table' });

    const after = await store.snapshot();
    expect(contents(after)).toEqual(before);
    // Failed statements did not commit their version bump either.
    expect(after.version).toBe(version + 2);
    // And the OIDs they took were not burnt into the counter in a way that skips committed state.
    await store.dropServers({ names: ['mgh'], cascade: true });
    expect((await store.snapshot()).server('mgh')).toBeUndefined();
  });

  it('keeps the catalog consistent under concurrent DDL from two stores', async () => {
    const other = await CatalogStore.open(at.location);
    try {
      // Ten attempts at one name, split over two stores: exactly one wins.
      const attempts = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).createServer({ name: 'bmc', wrapper: 'c2d', owner: 'c2d' })),
      );
      expect(attempts.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of attempts) {
        if (r.status === 'rejected') expect([(r.reason as PgError).code, (r.reason as PgError).message]).toEqual(['42710', 'server "bmc" already exists']);
      }

      await store.createPartitionedTable({
        table: { name: 'visits' }, owner: 'c2d', columns: [{ name: 'party', typeOid: T.text }], partitionBy: { strategy: 'list', columns: ['party'] },
      });
      // Six partitions racing for two values: one per value wins.
      const partitions = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? store : other).createForeignTable({
          table: { name: `visits_${i}` }, owner: 'c2d', server: 'bmc', partitionOf: { parent: { name: 'visits' }, values: [i % 3 === 0 ? 'x' : 'y'] },
        })),
      );
      expect(partitions.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
      for (const r of partitions) if (r.status === 'rejected') expect((r.reason as PgError).code).toBe('42P17');

      // Distinct names in parallel all succeed, with distinct OIDs.
      await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? store : other).createRole({ name: `role_${i}` })));
      const snap = await other.snapshot();
      const oids = [...snap.roles, ...snap.servers, ...snap.relations].map((o) => o.oid);
      expect(new Set(oids).size).toBe(oids.length);
      expect(snap.roles).toHaveLength(9);
      const visits = snap.relation({ name: 'visits' })!;
      expect(snap.partitionsOf(visits.oid).flatMap((p) => p.partitionOf!.values).sort()).toEqual(['x', 'y']);
    } finally {
      await other.close();
    }
  });

  it('answers version() from a recent read, but never hides its own DDL, and sees another store\'s after the bound', async () => {
    const other = await CatalogStore.open(at.location);
    try {
      const first = await store.version(60_000);
      await store.createServer({ name: 'own', wrapper: 'c2d', owner: 'c2d' });
      // This store's own DDL shows at once, however recent the last read.
      const afterOwn = await store.version(60_000);
      expect(afterOwn).toBeGreaterThan(first);
      await other.createServer({ name: 'theirs', wrapper: 'c2d', owner: 'c2d' });
      // Another gateway's DDL: a read within the bound may still give the old version; a fresh read never does.
      expect(await store.version(60_000)).toBe(afterOwn);
      expect(await store.version()).toBeGreaterThan(afterOwn);
    } finally {
      await other.close();
    }
  });

  it('renews a version read past half its age in the background: the query does not wait, the next one sees the change', async () => {
    const other = await CatalogStore.open(at.location);
    try {
      const before = await store.version();
      await other.createServer({ name: 'elsewhere', wrapper: 'c2d', owner: 'c2d' });
      await new Promise((resolve) => setTimeout(resolve, 250));
      // Past half of 400 ms: the old version answers at once, and a read starts behind it.
      expect(await store.version(400)).toBe(before);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await store.version(400)).toBeGreaterThan(before);
    } finally {
      await other.close();
    }
  });

  it('reports a location it cannot open as a connection failure, without the password', async () => {
    const url = backend === 'sqlite' ? '/nonexistent-dir/c2d/catalog.sqlite' : 'postgres://postgres:s3cret@127.0.0.1:5432/c2d_no_such_database_here';
    const error = await expectPgError(CatalogStore.open(url), '08006', /^could not open the federation catalog at /);
    expect(error.message).not.toContain('s3cret');
  });

  it('migrates once when four stores open a new location at the same time', async () => {
    await store.close();
    await at.dispose();
    const fresh = await make();
    const stores = await Promise.all(Array.from({ length: 4 }, () => CatalogStore.open(fresh.location)));
    try {
      await stores[0]!.createServer({ name: 'bmc', wrapper: 'c2d', owner: 'c2d' });
      for (const other of stores) expect((await other.snapshot()).server('bmc')!.oid).toBe(16385);
      expect(await fresh.query('SELECT name FROM c2d_knex_migrations')).toEqual([{ name: '0001-catalog-schema' }]);
      expect(await fresh.query('SELECT is_locked FROM c2d_knex_migrations_lock')).toEqual([{ is_locked: 0 }]);
    } finally {
      for (const other of stores) await other.close();
      // The hooks' done() disposes the first location; this one is the test's own.
      await fresh.dispose();
    }
  });
});
