/**
 * The two places a catalog can live, for running one suite against both: a SQLite file
 * in a fresh temporary directory, and a fresh database on the local PostgreSQL
 * (127.0.0.1:5432, user postgres), dropped afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { expect } from 'vitest';
import { CatalogStore } from '../../src/catalog/index.js';
import { PgError } from '../../src/server/pg-error.js';

export interface CatalogLocation {
  /** What CatalogStore.open takes. */
  readonly location: string;
  /** Runs SQL directly on the backing database, bypassing the store (for fault injection). */
  raw(sql: string): Promise<void>;
  /** Runs one query directly on the backing database and returns its rows. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  dispose(): Promise<void>;
}

const admin = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' };
let counter = 0;

async function withSqlite<T>(filename: string, run: (db: Knex) => Promise<T>): Promise<T> {
  const db = knexFactory({ client: 'better-sqlite3', connection: { filename }, useNullAsDefault: true });
  try {
    return await run(db);
  } finally {
    await db.destroy();
  }
}

async function sqliteLocation(): Promise<CatalogLocation> {
  const dir = await mkdtemp(join(tmpdir(), 'c2d-catalog-'));
  const location = join(dir, 'catalog.sqlite');
  return {
    location,
    raw: (sql) => withSqlite(location, async (db) => void (await db.raw(sql))),
    query: (sql) => withSqlite(location, async (db) => (await db.raw(sql)) as Record<string, unknown>[]),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

async function withClient<T>(database: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...admin, database });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function postgresLocation(): Promise<CatalogLocation> {
  const database = `c2d_test_catalog_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  await withClient('postgres', (c) => c.query(`CREATE DATABASE ${database}`));
  return {
    location: `postgres://postgres@127.0.0.1:5432/${database}`,
    raw: (sql) => withClient(database, async (c) => void (await c.query(sql))),
    query: (sql) => withClient(database, async (c) => (await c.query(sql)).rows as Record<string, unknown>[]),
    dispose: () => withClient('postgres', async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`))),
  };
}

export const backends = [
  ['sqlite', sqliteLocation],
  ['postgres', postgresLocation],
] as const;

export type BackendName = (typeof backends)[number][0];

/** A fresh catalog at a fresh location; `done` closes it and removes the location. */
export async function freshCatalog(make: () => Promise<CatalogLocation>): Promise<{
  store: CatalogStore;
  at: CatalogLocation;
  done: () => Promise<void>;
}> {
  const at = await make();
  const store = await CatalogStore.open(at.location);
  return {
    store,
    at,
    done: async () => {
      await store.close().catch(() => undefined);
      await at.dispose();
    },
  };
}

/** Awaits a promise that must fail with a PgError of this SQLSTATE (and message, if given). */
export async function expectPgError(promise: Promise<unknown>, code: string, message?: string | RegExp): Promise<PgError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected the call to fail').toBeInstanceOf(PgError);
  const error = caught as PgError;
  expect(error.code, error.message).toBe(code);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else if (message) expect(error.message).toMatch(message);
  return error;
}

/** PostgreSQL type OIDs the tests use. */
export const T = { bool: 16, int8: 20, int4: 23, text: 25, varchar: 1043, date: 1082, numeric: 1700, record: 2249 } as const;
