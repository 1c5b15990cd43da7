/**
 * CREATE FOREIGN TABLE (plain or PARTITION OF), CREATE TABLE … PARTITION BY LIST,
 * IMPORT FOREIGN SCHEMA and DROP [FOREIGN] TABLE.
 */
import { RelationKind, type ColumnEntry, type OptionList, type RelationEntry } from './catalog-entries.js';
import { catalogError, catalogNotice } from './catalog-errors.js';
import { requireRelation, requireRole, requireSchema, requireServer } from './catalog-lookups.js';
import type {
  CreateForeignTableRequest,
  CreatePartitionedTableRequest,
  DropRelationsRequest,
  ImportForeignSchemaRequest,
} from './catalog-requests.js';
import type { CatalogWriter } from './catalog-writer.js';
import { buildColumns } from './column-specs.js';
import { checkOptions } from './option-list.js';
import { checkBound, checkPartitionColumns } from './partition-bounds.js';
import { partitionKeyOpclass } from './partition-key-types.js';
import { checkName, describeRelation } from './object-names.js';

/** Whether the name is free; with IF NOT EXISTS an existing relation is a NOTICE, not an error. */
function claimName(w: CatalogWriter, schemaName: string | undefined, name: string, ifNotExists: boolean | undefined): boolean {
  if (!w.snapshot.relation({ schema: schemaName ?? 'public', name })) return true;
  const error = catalogError.duplicateRelation(name);
  if (!ifNotExists) throw error;
  w.notice(catalogNotice.skippedCreate(error));
  return false;
}

export async function createForeignTable(w: CatalogWriter, request: CreateForeignTableRequest): Promise<void> {
  const name = checkName(request.table.name);
  const schema = requireSchema(w.snapshot, request.table.schema);
  const owner = requireRole(w.snapshot, request.owner);
  const server = requireServer(w.snapshot, request.server);
  if (!claimName(w, schema.name, name, request.ifNotExists)) return;
  const options = checkOptions(request.options);
  const oid = w.allocateOid();
  let columns: ColumnEntry[];
  let partitionOf = null;
  if (request.partitionOf) {
    const parent = requireRelation(w.snapshot, request.partitionOf.parent);
    if (parent.kind !== RelationKind.partitionedTable) throw catalogError.notPartitioned(parent.name);
    // A partition gets its parent's columns, numbered afresh, as PARTITION OF does.
    columns = request.columns
      ? buildColumns(request.columns)
      : parent.columns.map((column, index) => ({ ...column, attnum: index + 1 }));
    checkPartitionColumns(parent, name, columns);
    partitionOf = checkBound(w.snapshot, parent, name, request.partitionOf.values, null);
  } else {
    columns = buildColumns(request.columns ?? []);
  }
  await w.insertRelation({
    oid,
    schemaOid: schema.oid,
    name,
    kind: RelationKind.foreignTable,
    ownerOid: owner.oid,
    columns,
    serverOid: server.oid,
    options,
    partitionKey: null,
    partitionOf,
  });
}

export async function createPartitionedTable(w: CatalogWriter, request: CreatePartitionedTableRequest): Promise<void> {
  const name = checkName(request.table.name);
  const schema = requireSchema(w.snapshot, request.table.schema);
  const owner = requireRole(w.snapshot, request.owner);
  if (!claimName(w, schema.name, name, request.ifNotExists)) return;
  const columns = buildColumns(request.columns);
  const { strategy, columns: keyColumns } = request.partitionBy;
  if (strategy !== 'list') throw catalogError.strategyNotSupported(String(strategy));
  if (keyColumns.length !== 1) throw catalogError.listKeyTooWide();
  const key = columns.find((column) => column.name === keyColumns[0]);
  if (!key) throw catalogError.partitionKeyColumnMissing(String(keyColumns[0]));
  partitionKeyOpclass(key.typeOid);
  await w.insertRelation({
    oid: w.allocateOid(),
    schemaOid: schema.oid,
    name,
    kind: RelationKind.partitionedTable,
    ownerOid: owner.oid,
    columns,
    serverOid: null,
    options: [],
    partitionKey: { strategy: 'list', attnum: key.attnum },
    partitionOf: null,
  });
}

/** All tables or none: a name already taken fails the whole import, as in PostgreSQL. */
export async function importForeignSchema(w: CatalogWriter, request: ImportForeignSchemaRequest): Promise<void> {
  const server = requireServer(w.snapshot, request.server);
  const schema = requireSchema(w.snapshot, request.into);
  for (const table of request.tables) {
    const options: OptionList = table.options ?? [['schema', request.remoteSchema], ['table', table.name]];
    await createForeignTable(w, {
      table: { schema: schema.name, name: table.name },
      owner: request.owner,
      server: server.name,
      options,
      columns: table.columns,
    });
  }
}

export async function dropRelations(w: CatalogWriter, request: DropRelationsRequest): Promise<void> {
  const foreign = request.statement === 'foreign table';
  const targets: RelationEntry[] = [];
  for (const name of request.relations) {
    const schema = w.snapshot.schema(name.schema ?? 'public');
    const relation = schema ? w.snapshot.relation(name) : undefined;
    if (!relation) {
      const error = !schema
        ? catalogError.undefinedSchema(name.schema ?? 'public')
        : foreign ? catalogError.undefinedForeignTable(name.name) : catalogError.undefinedTable(name.name);
      if (!request.ifExists) throw error;
      w.notice(catalogNotice.skippedMissing(error));
      continue;
    }
    if (foreign && relation.kind !== RelationKind.foreignTable) {
      throw catalogError.notForeignTable(relation.name, 'Use DROP TABLE to remove a table.');
    }
    if (!foreign && relation.kind === RelationKind.foreignTable) {
      throw catalogError.notTable(relation.name, 'Use DROP FOREIGN TABLE to remove a foreign table.');
    }
    targets.push(relation);
  }
  // Partitions go with their partitioned table without CASCADE (an automatic dependency);
  // nothing else depends on a relation, so CASCADE changes nothing here.
  for (const relation of targets) await dropRelationTree(w, relation.oid);
}

/** Drops a relation and, first, its partitions. Already-dropped OIDs are skipped. */
export async function dropRelationTree(w: CatalogWriter, oid: number): Promise<void> {
  if (!w.snapshot.relationByOid(oid)) return;
  for (const partition of w.snapshot.partitionsOf(oid)) await dropRelationTree(w, partition.oid);
  await w.deleteRelation(oid);
}

/** Dependency lines for the relations in `relations` ("foreign table s.x depends on …"). */
export function relationDependencyLines(w: CatalogWriter, relations: readonly RelationEntry[], on: string): string[] {
  return relations.map((relation) => `${describeRelation(w.snapshot, relation)} depends on ${on}`);
}
