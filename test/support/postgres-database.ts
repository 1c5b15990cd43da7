/**
 * A throwaway database on the local PostgreSQL (127.0.0.1:5432, trust auth) for one test
 * file: created with a unique name, optionally filled, dropped at the end. Tests never
 * touch any other database.
 */
import pg from 'pg';

export const LOCAL_POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres' } as const;

export interface TestDatabase {
  name: string;
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ ...LOCAL_POSTGRES, database: 'postgres' });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Creates `c2d_test_<purpose>_<pid>` and runs `setup` statements in it. */
export async function createTestDatabase(purpose: string, setup: readonly string[] = []): Promise<TestDatabase> {
  const name = `c2d_test_${purpose}_${process.pid}`;
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  if (setup.length) {
    const c = new pg.Client({ ...LOCAL_POSTGRES, database: name });
    await c.connect();
    try {
      for (const sql of setup) await c.query(sql);
    } finally {
      await c.end();
    }
  }
  return { name, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
