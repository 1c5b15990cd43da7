/**
 * knex's own migration tables, created before knex looks for them. knex creates them
 * with check-then-act, so two gateways opening a new catalog at once can each insert a
 * lock row, after which knex reports "already locked" forever. Here the lock row gets a
 * fixed primary key, so it can exist only once; the tables have exactly the columns
 * knex's table-creator gives them.
 */
import type { Knex } from 'knex';

export async function ensureMigrationTables(knex: Knex, tableName: string): Promise<void> {
  if (!(await knex.schema.hasTable(tableName))) {
    await knex.schema.createTable(tableName, (t) => {
      t.increments();
      t.string('name');
      t.integer('batch');
      t.timestamp('migration_time');
    });
  }
  const lockTable = `${tableName}_lock`;
  if (!(await knex.schema.hasTable(lockTable))) {
    await knex.schema.createTable(lockTable, (t) => {
      t.increments('index').primary();
      t.integer('is_locked');
    });
  }
  await knex(lockTable).insert({ index: 1, is_locked: 0 }).onConflict('index').ignore();
}
