/**
 * The catalog's first schema: every object kind, the OID counter, and the audit ledger.
 * Unique constraints back every name rule, so two gateways sharing one PostgreSQL-backed
 * catalog cannot create duplicates even if a check were raced; foreign keys catch a
 * dangling reference. The ledger refuses UPDATE and DELETE in the database itself.
 */
import type { Knex } from 'knex';
import {
  BOOTSTRAP_ROLE_OID,
  C2D_WRAPPER,
  FIRST_CATALOG_OID,
  PUBLIC_SCHEMA_OID,
} from '../catalog-entries.js';

const APPEND_ONLY = 'the audit ledger is append-only';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('c2d_catalog_state', (t) => {
    t.integer('id').primary();
    t.bigInteger('next_oid').notNullable();
    // Bumped by every DDL transaction: a gateway that caches the catalog compares it.
    t.bigInteger('version').notNullable();
  });
  await knex.schema.createTable('c2d_roles', (t) => {
    t.bigInteger('oid').primary();
    t.text('name').notNullable().unique();
    t.text('verifier').nullable();
    t.boolean('can_login').notNullable();
    t.boolean('superuser').notNullable();
  });
  await knex.schema.createTable('c2d_wrappers', (t) => {
    t.bigInteger('oid').primary();
    t.text('name').notNullable().unique();
    t.bigInteger('owner_oid').notNullable();
  });
  await knex.schema.createTable('c2d_schemas', (t) => {
    t.bigInteger('oid').primary();
    t.text('name').notNullable().unique();
    t.bigInteger('owner_oid').notNullable();
  });
  await knex.schema.createTable('c2d_servers', (t) => {
    t.bigInteger('oid').primary();
    t.text('name').notNullable().unique();
    t.bigInteger('wrapper_oid').notNullable().references('oid').inTable('c2d_wrappers');
    t.bigInteger('owner_oid').notNullable();
    t.text('server_type').nullable();
    t.text('server_version').nullable();
    t.text('options').notNullable();
  });
  await knex.schema.createTable('c2d_user_mappings', (t) => {
    t.bigInteger('oid').primary();
    t.bigInteger('server_oid').notNullable().references('oid').inTable('c2d_servers');
    t.bigInteger('role_oid').notNullable();
    t.text('options').notNullable();
    t.unique(['server_oid', 'role_oid']);
  });
  await knex.schema.createTable('c2d_relations', (t) => {
    t.bigInteger('oid').primary();
    t.bigInteger('schema_oid').notNullable().references('oid').inTable('c2d_schemas');
    t.text('name').notNullable();
    t.string('kind', 1).notNullable();
    t.bigInteger('owner_oid').notNullable();
    t.bigInteger('server_oid').nullable().references('oid').inTable('c2d_servers');
    t.text('options').notNullable();
    t.string('partition_strategy', 1).nullable();
    t.integer('partition_key_attnum').nullable();
    t.bigInteger('parent_oid').nullable().references('oid').inTable('c2d_relations');
    t.text('partition_values').nullable();
    t.unique(['schema_oid', 'name']);
  });
  await knex.schema.createTable('c2d_columns', (t) => {
    t.bigInteger('relation_oid').notNullable().references('oid').inTable('c2d_relations');
    t.integer('attnum').notNullable();
    t.text('name').notNullable();
    t.bigInteger('type_oid').notNullable();
    t.integer('typmod').notNullable();
    t.boolean('not_null').notNullable();
    t.primary(['relation_oid', 'attnum']);
    t.unique(['relation_oid', 'name']);
  });
  // One row per bound value: the primary key is what makes two partitions of one parent
  // unable to share a value, whoever inserts them.
  await knex.schema.createTable('c2d_partition_values', (t) => {
    t.bigInteger('parent_oid').notNullable().references('oid').inTable('c2d_relations');
    t.text('value_key').notNullable();
    t.bigInteger('partition_oid').notNullable().references('oid').inTable('c2d_relations');
    t.primary(['parent_oid', 'value_key']);
  });
  await knex.schema.createTable('c2d_security_labels', (t) => {
    t.bigInteger('relation_oid').notNullable().references('oid').inTable('c2d_relations');
    t.integer('attnum').notNullable();
    t.text('provider').notNullable();
    t.text('label').notNullable();
    t.primary(['relation_oid', 'attnum', 'provider']);
  });
  await knex.schema.createTable('c2d_audit_ledger', (t) => {
    t.increments('id').primary();
    t.bigInteger('at_ms').notNullable().index();
    t.text('user_name').notNullable().index();
    t.text('statement').notNullable();
    t.text('parties').notNullable();
    t.bigInteger('result_rows').nullable();
    t.text('revealed').notNullable();
  });
  await knex.schema.createTable('c2d_audit_ledger_parties', (t) => {
    t.integer('entry_id').notNullable().references('id').inTable('c2d_audit_ledger');
    t.text('party').notNullable().index();
    t.primary(['entry_id', 'party']);
  });

  if (knex.client.dialect === 'postgresql') {
    await knex.raw(`CREATE FUNCTION c2d_audit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '${APPEND_ONLY}'; END $$`);
    for (const table of ['c2d_audit_ledger', 'c2d_audit_ledger_parties']) {
      await knex.raw(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION c2d_audit_ledger_append_only()`);
      await knex.raw(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION c2d_audit_ledger_append_only()`);
    }
  } else {
    for (const table of ['c2d_audit_ledger', 'c2d_audit_ledger_parties']) {
      for (const event of ['UPDATE', 'DELETE']) {
        await knex.raw(`CREATE TRIGGER ${table}_no_${event.toLowerCase()} BEFORE ${event} ON ${table}
          BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}'); END`);
      }
    }
  }

  await knex('c2d_catalog_state').insert({ id: 1, next_oid: FIRST_CATALOG_OID + 1, version: 1 });
  // The bootstrap superuser, owner of what PostgreSQL's initdb user owns. It has no
  // password until ALTER ROLE gives it one, so nobody logs in as it by default.
  await knex('c2d_roles').insert({ oid: BOOTSTRAP_ROLE_OID, name: 'c2d', verifier: null, can_login: true, superuser: true });
  await knex('c2d_schemas').insert({ oid: PUBLIC_SCHEMA_OID, name: 'public', owner_oid: BOOTSTRAP_ROLE_OID });
  await knex('c2d_wrappers').insert({ oid: FIRST_CATALOG_OID, name: C2D_WRAPPER, owner_oid: BOOTSTRAP_ROLE_OID });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'c2d_audit_ledger_parties', 'c2d_audit_ledger', 'c2d_security_labels', 'c2d_partition_values',
    'c2d_columns', 'c2d_relations', 'c2d_user_mappings', 'c2d_servers', 'c2d_schemas', 'c2d_wrappers',
    'c2d_roles', 'c2d_catalog_state',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
  if (knex.client.dialect === 'postgresql') await knex.raw('DROP FUNCTION IF EXISTS c2d_audit_ledger_append_only()');
}
