/**
 * Runs one DDL statement as one transaction: first it bumps the catalog version, which
 * locks the state row (PostgreSQL) or takes the write lock (SQLite), so DDL from every
 * gateway sharing the catalog runs one statement at a time and each reads what the
 * previous one committed; then it reads the catalog, applies the statement, and saves
 * the OID counter. Any error rolls everything back: nothing is half-created.
 */
import type { Knex } from 'knex';
import type { PgError } from '../server/pg-error.js';
import { readCatalogData } from './catalog-rows.js';
import { CatalogWriter } from './catalog-writer.js';
import { retryTransient } from './transient-errors.js';

export interface DdlOutcome {
  /** NOTICEs to send the client before the command tag (IF [NOT] EXISTS skips, cascades). */
  readonly notices: readonly PgError[];
}

export async function runDdl(knex: Knex, statement: (writer: CatalogWriter) => Promise<void>): Promise<DdlOutcome> {
  return retryTransient(() =>
    knex.transaction(async (trx) => {
      await trx('c2d_catalog_state').where({ id: 1 }).increment('version', 1);
      const { version, nextOid, data } = await readCatalogData(trx);
      const writer = new CatalogWriter(trx, data, version, nextOid);
      await statement(writer);
      await writer.saveCounter();
      return { notices: writer.notices };
    }),
  );
}
