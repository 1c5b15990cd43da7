/**
 * The catalog's schema migrations, listed in code rather than discovered in a folder at
 * run time, so the built dist carries them. Append new migrations; never edit one that
 * has shipped.
 */
import type { Knex } from 'knex';
import * as catalogSchema from './migrations/0001-catalog-schema.js';

interface CatalogMigration {
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: readonly CatalogMigration[] = [{ name: '0001-catalog-schema', ...catalogSchema }];

export const catalogMigrationSource: Knex.MigrationSource<CatalogMigration> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration,
};

/** Kept apart from any knex_migrations table of a database the catalog shares. */
export const MIGRATIONS_TABLE = 'c2d_knex_migrations';
