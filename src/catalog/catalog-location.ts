/**
 * Where a catalog lives: a SQLite file (the default, one gateway) or a PostgreSQL URL (a
 * production gateway, possibly several sharing it). Turns the location into knex's config.
 */
import type { Knex } from 'knex';

export type CatalogBackend = 'sqlite' | 'postgres';

export function catalogBackend(location: string): CatalogBackend {
  return /^postgres(ql)?:\/\//i.test(location) ? 'postgres' : 'sqlite';
}

interface SqliteConnection {
  pragma(source: string): unknown;
}

export function knexConfig(location: string): Knex.Config {
  if (catalogBackend(location) === 'postgres') {
    return {
      client: 'pg',
      connection: { connectionString: location, application_name: 'c2d catalog' },
      pool: { min: 0, max: 4 },
    };
  }
  return {
    client: 'better-sqlite3',
    connection: { filename: location },
    useNullAsDefault: true,
    pool: {
      afterCreate(connection: SqliteConnection, done: (error: Error | null, connection: SqliteConnection) => void) {
        try {
          connection.pragma('foreign_keys = ON');
          // better-sqlite3 waits for a lock synchronously, which would freeze this
          // process's event loop; the store retries a busy transaction asynchronously.
          connection.pragma('busy_timeout = 0');
          if (location !== ':memory:') connection.pragma('journal_mode = WAL');
          done(null, connection);
        } catch (error) {
          done(error as Error, connection);
        }
      },
    },
  };
}

/** The location for messages and logs: a URL's password is replaced by ***. */
export function redactLocation(location: string): string {
  if (catalogBackend(location) !== 'postgres') return location;
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'a PostgreSQL URL';
  }
}
