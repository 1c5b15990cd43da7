/**
 * ALTER TABLE / ALTER FOREIGN TABLE: the subcommands run in order, each seeing the
 * previous ones, all in the statement's one transaction. A change to a partitioned
 * table's columns reaches its partitions; a partition's inherited columns can only be
 * changed through the parent, as in PostgreSQL.
 */
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { RelationKind, type ColumnEntry, type RelationEntry } from './catalog-entries.js';
import { catalogError, catalogNotice } from './catalog-errors.js';
import { displayName, requireRelation, requireRole, requireSchema } from './catalog-lookups.js';
import type { AlterRelationAction, AlterRelationRequest } from './catalog-requests.js';
import type { CatalogWriter } from './catalog-writer.js';
import { checkColumnType } from './column-specs.js';
import { checkName } from './object-names.js';
import { applyOptionChanges } from './option-list.js';
import { checkBound, checkPartitionColumns } from './partition-bounds.js';

export async function alterRelation(w: CatalogWriter, request: AlterRelationRequest): Promise<void> {
  const schema = w.snapshot.schema(request.relation.schema ?? 'public');
  const found = schema ? w.snapshot.relation(request.relation) : undefined;
  if (!found) {
    const error = catalogError.undefinedRelation(displayName(request.relation));
    if (!request.ifExists) throw error;
    w.notice(catalogNotice.skippedMissing(error));
    return;
  }
  if (request.statement === 'foreign table' && found.kind !== RelationKind.foreignTable) {
    throw catalogError.notForeignTable(found.name);
  }
  for (const action of request.actions) await applyAction(w, found.oid, action);
}

/** The relation as it is now: earlier subcommands may have changed it. */
function current(w: CatalogWriter, oid: number): RelationEntry {
  return w.snapshot.relationByOid(oid)!;
}

function columnOf(relation: RelationEntry, name: string): ColumnEntry {
  const column = relation.columns.find((c) => c.name === name);
  if (!column) throw catalogError.undefinedColumn(name, relation.name);
  return column;
}

function isKeyColumn(relation: RelationEntry, column: ColumnEntry): boolean {
  return relation.partitionKey?.attnum === column.attnum;
}

/** The relation and its partitions, each with its own column of that name. */
function withPartitions(w: CatalogWriter, relation: RelationEntry, name: string): [RelationEntry, ColumnEntry][] {
  const out: [RelationEntry, ColumnEntry][] = [[relation, columnOf(relation, name)]];
  for (const partition of w.snapshot.partitionsOf(relation.oid)) {
    const column = partition.columns.find((c) => c.name === name);
    if (column) out.push([partition, column]);
  }
  return out;
}

async function applyAction(w: CatalogWriter, oid: number, action: AlterRelationAction): Promise<void> {
  const relation = current(w, oid);
  const isPartition = relation.partitionOf !== null;
  switch (action.action) {
    case 'addColumn': {
      if (isPartition) throw catalogError.addColumnToPartition();
      const name = checkName(action.column.name);
      if (relation.columns.some((c) => c.name === name)) {
        const error = catalogError.duplicateColumn(name, relation.name);
        if (!action.ifNotExists) throw error;
        w.notice(catalogNotice.skippedCreate(error));
        return;
      }
      const type = checkColumnType(name, action.column.typeOid, action.column.typmod);
      const spec = { name, ...type, notNull: action.column.notNull === true };
      await w.putColumn(relation.oid, { attnum: nextAttnum(relation), ...spec });
      for (const partition of w.snapshot.partitionsOf(relation.oid)) {
        const existing = partition.columns.find((c) => c.name === name);
        if (existing) {
          if (existing.typeOid !== spec.typeOid || existing.typmod !== spec.typmod) throw catalogError.childTypeMismatch(partition.name, name);
          w.notice(new PgError(SqlState.successfulCompletion, `merging definition of column "${name}" for child "${partition.name}"`, { severity: 'NOTICE' }));
          await w.putColumn(partition.oid, { ...existing, notNull: existing.notNull || spec.notNull });
        } else {
          await w.putColumn(partition.oid, { attnum: nextAttnum(partition), ...spec });
        }
      }
      return;
    }
    case 'dropColumn': {
      const column = relation.columns.find((c) => c.name === action.column);
      if (!column) {
        const error = catalogError.undefinedColumn(action.column, relation.name);
        if (!action.ifExists) throw error;
        w.notice(catalogNotice.skippedMissing(error));
        return;
      }
      if (isPartition) throw catalogError.inheritedColumn('drop', column.name);
      if (isKeyColumn(relation, column)) throw catalogError.partitionKeyColumn('drop', column.name, relation.name);
      for (const [target, targetColumn] of withPartitions(w, relation, column.name)) await w.deleteColumn(target.oid, targetColumn.attnum);
      return;
    }
    case 'renameColumn': {
      const column = columnOf(relation, action.column);
      if (isPartition) throw catalogError.inheritedColumn('rename', column.name);
      const to = checkName(action.to);
      if (to === column.name) return;
      const targets = withPartitions(w, relation, column.name);
      for (const [target] of targets) {
        if (target.columns.some((c) => c.name === to)) throw catalogError.duplicateColumn(to, target.name);
      }
      for (const [target, targetColumn] of targets) await w.putColumn(target.oid, { ...targetColumn, name: to });
      return;
    }
    case 'alterColumnType': {
      const column = columnOf(relation, action.column);
      if (isPartition) throw catalogError.inheritedColumn('alter', column.name);
      if (isKeyColumn(relation, column)) throw catalogError.partitionKeyColumn('alter', column.name, relation.name);
      const type = checkColumnType(column.name, action.typeOid, action.typmod);
      for (const [target, targetColumn] of withPartitions(w, relation, column.name)) await w.putColumn(target.oid, { ...targetColumn, ...type });
      return;
    }
    case 'setNotNull':
    case 'dropNotNull': {
      const column = columnOf(relation, action.column);
      const notNull = action.action === 'setNotNull';
      if (!notNull && isPartition) {
        const parent = current(w, relation.partitionOf!.parentOid);
        if (parent.columns.find((c) => c.name === column.name)?.notNull) throw catalogError.notNullInParent(column.name);
      }
      for (const [target, targetColumn] of withPartitions(w, relation, column.name)) await w.putColumn(target.oid, { ...targetColumn, notNull });
      return;
    }
    case 'options': {
      if (relation.kind !== RelationKind.foreignTable) throw catalogError.notForeignTable(relation.name);
      await w.updateRelation({ ...relation, options: applyOptionChanges(relation.options, action.changes) });
      return;
    }
    case 'rename': {
      const to = checkName(action.to);
      const schema = w.snapshot.schemaByOid(relation.schemaOid)!;
      if (to !== relation.name && w.snapshot.relation({ schema: schema.name, name: to })) throw catalogError.duplicateRelation(to);
      await w.updateRelation({ ...relation, name: to });
      return;
    }
    case 'setSchema': {
      const schema = requireSchema(w.snapshot, action.schema);
      if (schema.oid === relation.schemaOid) return;
      if (w.snapshot.relation({ schema: schema.name, name: relation.name })) {
        throw catalogError.duplicateRelationInSchema(relation.name, schema.name);
      }
      await w.updateRelation({ ...relation, schemaOid: schema.oid });
      return;
    }
    case 'owner': {
      await w.updateRelation({ ...relation, ownerOid: requireRole(w.snapshot, action.role).oid });
      return;
    }
    case 'attachPartition': {
      if (relation.kind !== RelationKind.partitionedTable) throw catalogError.attachToForeignTable(relation.name);
      const partition = requireRelation(w.snapshot, action.partition);
      if (partition.kind !== RelationKind.foreignTable) throw catalogError.partitionMustBeForeign(partition.name);
      if (partition.partitionOf) throw catalogError.alreadyPartition(partition.name);
      checkPartitionColumns(relation, partition.name, partition.columns);
      await w.setPartitionBound(partition.oid, checkBound(w.snapshot, relation, partition.name, action.values, partition.oid));
      return;
    }
    case 'detachPartition': {
      if (relation.kind !== RelationKind.partitionedTable) {
        throw new PgError(SqlState.wrongObjectType, `ALTER action DETACH PARTITION cannot be performed on relation "${relation.name}"`, {
          detail: 'This operation is not supported for foreign tables.',
        });
      }
      const partition = requireRelation(w.snapshot, action.partition);
      if (partition.partitionOf?.parentOid !== relation.oid) throw catalogError.notPartitionOf(partition.name, relation.name);
      await w.setPartitionBound(partition.oid, null);
      return;
    }
  }
}

/**
 * A new column's attnum: one past the highest in use. (PostgreSQL also skips the attnums
 * of dropped columns; nothing reads attnums across a DROP COLUMN, so gaps are not kept.)
 */
function nextAttnum(relation: RelationEntry): number {
  return relation.columns.reduce((max, c) => Math.max(max, c.attnum), 0) + 1;
}
