/**
 * The audit ledger: append, query by user / party / time with paging, survival across
 * reopen, and append-only enforced by the database itself, on SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogStore } from '../../src/catalog/index.js';
import { backends, type CatalogLocation, expectPgError, freshCatalog } from './catalog-backends.js';

const t0 = new Date('2026-03-01T12:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

describe.each(backends)('audit ledger on %s', (_name, make) => {
  let store: CatalogStore;
  let location: CatalogLocation;
  let done: () => Promise<void>;
  beforeEach(async () => {
    ({ store, at: location, done } = await freshCatalog(make));
  });
  afterEach(() => done());

  async function seed(): Promise<void> {
    await store.appendLedger({ user: 'alice', statement: 'SELECT count(*) FROM visits', parties: ['bmc', 'mgh'], resultRows: 1, revealed: { counts: 'total' }, at: at(0) });
    await store.appendLedger({ user: 'bob', statement: "SELECT * FROM visits_bmc WHERE code = 'it''s'", parties: ['bmc'], resultRows: 42, revealed: null, at: at(1) });
    await store.appendLedger({ user: 'alice', statement: 'SELECT avg(age) FROM patients', parties: ['mgh', 'bwh', 'mgh'], resultRows: null, revealed: ['avg', { n: 3, nested: [1, 2] }], at: at(2) });
  }

  it('appends entries and returns them as written', async () => {
    const entry = await store.appendLedger({ user: 'alice', statement: 'SELECT 1', parties: ['bmc'], resultRows: 1, revealed: { cells: 1 }, at: t0 });
    expect(entry).toEqual({ id: entry.id, at: t0, user: 'alice', statement: 'SELECT 1', parties: ['bmc'], resultRows: 1, revealed: { cells: 1 } });
    await seed();
    const all = await store.queryLedger();
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => a - b));
    expect(all).toHaveLength(4);
    expect(all[0]).toEqual(entry);
    expect(all[2]).toMatchObject({ user: 'bob', statement: "SELECT * FROM visits_bmc WHERE code = 'it''s'", resultRows: 42, revealed: null });
    // Parties are kept once each, in first-mention order.
    expect(all[3]).toMatchObject({ parties: ['mgh', 'bwh'], resultRows: null, revealed: ['avg', { n: 3, nested: [1, 2] }] });
  });

  it('answers queries by user, party and time, with paging both ways', async () => {
    await seed();
    const statements = (entries: { statement: string }[]) => entries.map((e) => e.statement);
    expect(statements(await store.queryLedger({ user: 'alice' }))).toEqual(['SELECT count(*) FROM visits', 'SELECT avg(age) FROM patients']);
    expect((await store.queryLedger({ party: 'bmc' })).map((e) => e.user)).toEqual(['alice', 'bob']);
    expect((await store.queryLedger({ party: 'bwh' })).map((e) => e.user)).toEqual(['alice']);
    expect(await store.queryLedger({ party: 'nobody' })).toEqual([]);
    expect((await store.queryLedger({ since: at(1), until: at(2) })).map((e) => e.user)).toEqual(['bob']);
    expect((await store.queryLedger({ user: 'alice', party: 'mgh', since: at(1) })).map((e) => e.resultRows)).toEqual([null]);

    const first = await store.queryLedger({ limit: 2 });
    const rest = await store.queryLedger({ limit: 2, afterId: first[1]!.id });
    expect([...first, ...rest].map((e) => e.user)).toEqual(['alice', 'bob', 'alice']);
    const newest = await store.queryLedger({ order: 'desc', limit: 1 });
    expect(newest[0]!.statement).toBe('SELECT avg(age) FROM patients');
    const older = await store.queryLedger({ order: 'desc', afterId: newest[0]!.id });
    expect(older.map((e) => e.user)).toEqual(['bob', 'alice']);
  });

  it('survives reopen and is append-only in the database itself', async () => {
    await seed();
    await store.close();
    store = await CatalogStore.open(location.location);
    expect(await store.queryLedger()).toHaveLength(3);
    await expect(location.raw("UPDATE c2d_audit_ledger SET user_name = 'mallory'")).rejects.toThrow(/append-only/);
    await expect(location.raw('DELETE FROM c2d_audit_ledger')).rejects.toThrow(/append-only/);
    await expect(location.raw('DELETE FROM c2d_audit_ledger_parties')).rejects.toThrow(/append-only/);
    expect((await store.queryLedger()).map((e) => e.user)).toEqual(['alice', 'bob', 'alice']);
    // New entries still go after the old ones.
    const next = await store.appendLedger({ user: 'carol', statement: 'SELECT 2', parties: [], resultRows: 0, revealed: {} });
    expect(next.id).toBeGreaterThan((await store.queryLedger({ order: 'desc', limit: 2 }))[1]!.id);
  });

  it('refuses entries it could not store faithfully', async () => {
    await expectPgError(store.appendLedger({ user: 'a', statement: 's', parties: [], resultRows: -1, revealed: null }), '22023');
    await expectPgError(store.appendLedger({ user: 'a', statement: 's', parties: [], resultRows: 1.5, revealed: null }), '22023');
    await expectPgError(store.appendLedger({ user: 'a', statement: 's', parties: [], resultRows: 1, revealed: { n: 1n } }), '22023');
    await expectPgError(store.appendLedger({ user: 'a', statement: 'nul\0', parties: [], resultRows: 1, revealed: null }), '22021');
    await expectPgError(store.appendLedger({ user: 'a', statement: 's', parties: [''], resultRows: 1, revealed: null }), '42601');
    await expectPgError(store.queryLedger({ limit: 0 }), '22023');
    await expectPgError(store.queryLedger({ limit: 10_001 }), '22023');
    expect(await store.queryLedger()).toEqual([]);
  });
});
