/**
 * The local engine: queries run on one in-process DuckDB instance. It stands in for the
 * federated executor until federation lands, behind the same Engine seam.
 */
import type { DuckDBInstance } from '@duckdb/node-api';
import type { Engine, EngineSession, SessionEvents, StartupInfo } from '../server/engine.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { initSqlParser } from '../sql/index.js';
import { catalogRefreshingRunner, installPgCatalog, PgCatalogSync } from '../pgcatalog/index.js';
import { DuckDbRunner } from './duckdb-runner.js';
import type { QueryRunner } from './query-runner.js';
import type { CatalogStore } from '../catalog/index.js';
import type { PartyTables } from '../sql/bind/party-tables.js';
import { LocalSession } from './session.js';
import { SERVER_VERSION } from './settings.js';

export interface LocalEngineOptions {
  /** The DuckDB instance holding the tables clients query. */
  instance: DuckDBInstance;
  /** The database name clients connect to (e.g. "c2d"). */
  database: string;
  /** Version of C2D for version(). */
  productVersion: string;
  /** What runs queries; by default DuckDB over `instance` alone. */
  runner?: QueryRunner;
  /** The federation catalog DDL goes to; without it, DDL is refused with 0A000. */
  catalog?: CatalogStore;
  /** How DDL reaches the parties to import and check their tables. */
  parties?: PartyTables;
}

export async function createLocalEngine(options: LocalEngineOptions): Promise<Engine> {
  await initSqlParser();
  const connection = await options.instance.connect();
  try {
    // PostgreSQL divides integers as integers; DuckDB's `/` is float division by default.
    await connection.run('SET GLOBAL integer_division = true');
    // Timestamps without a zone are read as UTC until the session's TimeZone reaches the runner.
    await connection.run("SET GLOBAL TimeZone = 'UTC'");
    await installPgCatalog(connection, {
      database: options.database,
      user: 'c2d',
      serverVersion: SERVER_VERSION,
      versionString: `PostgreSQL ${SERVER_VERSION} (C2D ${options.productVersion}) on ${process.arch}-pc-linux-gnu, compiled by C2D`,
    });
  } finally {
    connection.closeSync();
  }
  const queryRunner = options.runner ?? new DuckDbRunner(options.instance);
  // pg_catalog shows the federation catalog as of the last DDL before each query.
  const runner = options.catalog
    ? catalogRefreshingRunner(queryRunner, new PgCatalogSync(options.instance, options.catalog, { database: options.database, user: 'c2d' }))
    : queryRunner;
  return {
    async openSession(info: StartupInfo, events: SessionEvents): Promise<EngineSession> {
      if (info.database !== options.database) {
        throw new PgError(SqlState.invalidCatalogName, `database "${info.database}" does not exist`, { severity: 'FATAL' });
      }
      return new LocalSession(runner, info, events, options.catalog ?? null, options.parties ?? null);
    },
  };
}
