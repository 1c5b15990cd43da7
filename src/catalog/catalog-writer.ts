/**
 * The one way DDL changes the catalog: each method writes its rows inside the DDL
 * transaction and updates the in-memory picture the rest of the statement reads, so a
 * statement with several parts (DROP a, b; ALTER TABLE … , …; IMPORT FOREIGN SCHEMA) sees
 * its own earlier changes. OIDs come from the counter the transaction holds locked.
 */
import type { Knex } from 'knex';
import type {
  ColumnEntry,
  PartitionBound,
  RelationEntry,
  RoleEntry,
  SchemaEntry,
  SecurityLabelEntry,
  ServerEntry,
  UserMappingEntry,
} from './catalog-entries.js';
import {
  columnRow,
  encodePartitionValues,
  partitionValueKey,
  relationRow,
  roleRow,
  schemaRow,
  serverRow,
  userMappingRow,
} from './catalog-rows.js';
import { type CatalogData, CatalogSnapshot, labelKey } from './catalog-snapshot.js';
import type { PgError } from '../server/pg-error.js';

export class CatalogWriter {
  readonly snapshot: CatalogSnapshot;
  /** NOTICEs for the client, in the order PostgreSQL would send them. */
  readonly notices: PgError[] = [];

  constructor(
    private readonly trx: Knex.Transaction,
    private readonly data: CatalogData,
    version: number,
    private nextOid: number,
  ) {
    this.snapshot = new CatalogSnapshot(version, data);
  }

  /** A dropped object's OID never goes to another object: the counter only moves forward. */
  allocateOid(): number {
    return this.nextOid++;
  }

  /** Writes the counter back; called once, last, by the transaction runner. */
  async saveCounter(): Promise<void> {
    await this.trx('c2d_catalog_state').where({ id: 1 }).update({ next_oid: this.nextOid });
  }

  notice(notice: PgError): void {
    this.notices.push(notice);
  }

  async putRole(role: RoleEntry): Promise<void> {
    await this.upsert('c2d_roles', this.data.roles.has(role.oid), { oid: role.oid }, roleRow(role));
    this.data.roles.set(role.oid, role);
  }

  async deleteRole(oid: number): Promise<void> {
    await this.trx('c2d_roles').where({ oid }).delete();
    this.data.roles.delete(oid);
  }

  async putSchema(schema: SchemaEntry): Promise<void> {
    await this.upsert('c2d_schemas', this.data.schemas.has(schema.oid), { oid: schema.oid }, schemaRow(schema));
    this.data.schemas.set(schema.oid, schema);
  }

  async deleteSchema(oid: number): Promise<void> {
    await this.trx('c2d_schemas').where({ oid }).delete();
    this.data.schemas.delete(oid);
  }

  async putServer(server: ServerEntry): Promise<void> {
    await this.upsert('c2d_servers', this.data.servers.has(server.oid), { oid: server.oid }, serverRow(server));
    this.data.servers.set(server.oid, server);
  }

  async deleteServer(oid: number): Promise<void> {
    await this.trx('c2d_servers').where({ oid }).delete();
    this.data.servers.delete(oid);
  }

  async putUserMapping(mapping: UserMappingEntry): Promise<void> {
    await this.upsert('c2d_user_mappings', this.data.userMappings.has(mapping.oid), { oid: mapping.oid }, userMappingRow(mapping));
    this.data.userMappings.set(mapping.oid, mapping);
  }

  async deleteUserMapping(oid: number): Promise<void> {
    await this.trx('c2d_user_mappings').where({ oid }).delete();
    this.data.userMappings.delete(oid);
  }

  /** Inserts a new relation with its columns and, for a partition, its bound. */
  async insertRelation(relation: RelationEntry): Promise<void> {
    await this.trx('c2d_relations').insert({ ...relationRow(relation), parent_oid: null, partition_values: null });
    this.data.relations.set(relation.oid, { ...relation, partitionOf: null });
    for (const column of relation.columns) await this.trx('c2d_columns').insert(columnRow(relation.oid, column));
    if (relation.partitionOf) await this.setPartitionBound(relation.oid, relation.partitionOf);
  }

  /** Updates the relation's own row (name, schema, owner, options); not columns or bound. */
  async updateRelation(relation: RelationEntry): Promise<void> {
    const { schema_oid, name, owner_oid, options } = relationRow(relation);
    await this.trx('c2d_relations').where({ oid: relation.oid }).update({ schema_oid, name, owner_oid, options });
    const current = this.relation(relation.oid);
    this.data.relations.set(relation.oid, { ...current, schemaOid: relation.schemaOid, name: relation.name, ownerOid: relation.ownerOid, options: relation.options });
  }

  async putColumn(relationOid: number, column: ColumnEntry): Promise<void> {
    const current = this.relation(relationOid);
    const exists = current.columns.some((c) => c.attnum === column.attnum);
    await this.upsert('c2d_columns', exists, { relation_oid: relationOid, attnum: column.attnum }, columnRow(relationOid, column));
    const columns = [...current.columns.filter((c) => c.attnum !== column.attnum), column].sort((a, b) => a.attnum - b.attnum);
    this.data.relations.set(relationOid, { ...current, columns });
  }

  async deleteColumn(relationOid: number, attnum: number): Promise<void> {
    await this.deleteLabel(relationOid, attnum, null);
    await this.trx('c2d_columns').where({ relation_oid: relationOid, attnum }).delete();
    const current = this.relation(relationOid);
    this.data.relations.set(relationOid, { ...current, columns: current.columns.filter((c) => c.attnum !== attnum) });
  }

  /** Attaches (bound) or detaches (null) a partition. Overlap is checked by the caller. */
  async setPartitionBound(relationOid: number, bound: PartitionBound | null): Promise<void> {
    await this.trx('c2d_partition_values').where({ partition_oid: relationOid }).delete();
    await this.trx('c2d_relations').where({ oid: relationOid }).update({
      parent_oid: bound?.parentOid ?? null,
      partition_values: bound ? encodePartitionValues(bound.values) : null,
    });
    if (bound) {
      const keys = new Set(bound.values.map(partitionValueKey));
      for (const value_key of keys) {
        await this.trx('c2d_partition_values').insert({ parent_oid: bound.parentOid, value_key, partition_oid: relationOid });
      }
    }
    this.data.relations.set(relationOid, { ...this.relation(relationOid), partitionOf: bound });
  }

  /** Deletes a relation and what hangs off it; its partitions must be gone first. */
  async deleteRelation(oid: number): Promise<void> {
    await this.deleteLabel(oid, null, null);
    await this.trx('c2d_partition_values').where({ partition_oid: oid }).delete();
    await this.trx('c2d_columns').where({ relation_oid: oid }).delete();
    await this.trx('c2d_relations').where({ oid }).delete();
    this.data.relations.delete(oid);
  }

  async putLabel(label: SecurityLabelEntry): Promise<void> {
    const key = labelKey(label.relationOid, label.attnum, label.provider);
    const where = { relation_oid: label.relationOid, attnum: label.attnum, provider: label.provider };
    await this.upsert('c2d_security_labels', this.data.labels.has(key), where, { ...where, label: label.label });
    this.data.labels.set(key, label);
  }

  /** Deletes labels of a relation: of one column (attnum), or all (null); of one provider or all. */
  async deleteLabel(relationOid: number, attnum: number | null, provider: string | null): Promise<void> {
    let query = this.trx('c2d_security_labels').where({ relation_oid: relationOid });
    if (attnum !== null) query = query.andWhere({ attnum });
    if (provider !== null) query = query.andWhere({ provider });
    await query.delete();
    for (const [key, label] of this.data.labels) {
      if (label.relationOid === relationOid && (attnum === null || label.attnum === attnum) && (provider === null || label.provider === provider)) {
        this.data.labels.delete(key);
      }
    }
  }

  private relation(oid: number): RelationEntry {
    const relation = this.data.relations.get(oid);
    if (!relation) throw new Error(`catalog writer: no relation with OID ${oid}`);
    return relation;
  }

  private async upsert(table: string, exists: boolean, where: Record<string, unknown>, row: Record<string, unknown>): Promise<void> {
    if (exists) await this.trx(table).where(where).update(row);
    else await this.trx(table).insert(row);
  }
}
