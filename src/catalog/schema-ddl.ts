/**
 * CREATE / ALTER / DROP SCHEMA. `public` exists from the start, with PostgreSQL's OID.
 */
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { catalogError, catalogNotice } from './catalog-errors.js';
import { requireRole, requireSchema } from './catalog-lookups.js';
import type { AlterSchemaRequest, CreateSchemaRequest, DropSchemasRequest } from './catalog-requests.js';
import type { CatalogWriter } from './catalog-writer.js';
import { checkName, describeRelation } from './object-names.js';
import { dropRelationTree, relationDependencyLines } from './relation-ddl.js';

/** Schemas the pg_catalog emulation provides: a user schema may not take their names. */
const SYSTEM_SCHEMAS = new Set(['information_schema']);

function checkSchemaName(w: CatalogWriter, name: string): string {
  checkName(name);
  if (name.startsWith('pg_')) {
    throw new PgError(SqlState.reservedName, `unacceptable schema name "${name}"`, {
      detail: 'The prefix "pg_" is reserved for system schemas.',
    });
  }
  if (SYSTEM_SCHEMAS.has(name) || w.snapshot.schema(name)) throw catalogError.duplicateSchema(name);
  return name;
}

export async function createSchema(w: CatalogWriter, request: CreateSchemaRequest): Promise<void> {
  const owner = requireRole(w.snapshot, request.owner);
  if (request.ifNotExists && w.snapshot.schema(request.name)) {
    w.notice(catalogNotice.skippedCreate(catalogError.duplicateSchema(request.name)));
    return;
  }
  const name = checkSchemaName(w, request.name);
  await w.putSchema({ oid: w.allocateOid(), name, ownerOid: owner.oid });
}

export async function alterSchema(w: CatalogWriter, request: AlterSchemaRequest): Promise<void> {
  let schema = requireSchema(w.snapshot, request.name);
  if (request.owner !== undefined) schema = { ...schema, ownerOid: requireRole(w.snapshot, request.owner).oid };
  if (request.renameTo !== undefined && request.renameTo !== schema.name) {
    schema = { ...schema, name: checkSchemaName(w, request.renameTo) };
  }
  await w.putSchema(schema);
}

/** Relations in a schema depend on it: CASCADE drops them (and their partitions), else 2BP01. */
export async function dropSchemas(w: CatalogWriter, request: DropSchemasRequest): Promise<void> {
  const schemas = [];
  for (const name of request.names) {
    const schema = w.snapshot.schema(name);
    if (!schema) {
      const error = catalogError.undefinedSchema(name);
      if (!request.ifExists) throw error;
      w.notice(catalogNotice.skippedMissing(error));
      continue;
    }
    schemas.push(schema);
  }
  const cascaded: string[] = [];
  for (const schema of schemas) {
    const relations = w.snapshot.relationsIn(schema.oid);
    if (relations.length === 0) continue;
    if (!request.cascade) throw catalogError.dependents(`schema ${schema.name}`, relationDependencyLines(w, relations, `schema ${schema.name}`));
    cascaded.push(...relations.map((relation) => describeRelation(w.snapshot, relation)));
  }
  if (cascaded.length > 0) w.notice(catalogNotice.cascades(cascaded));
  for (const schema of schemas) {
    for (const relation of w.snapshot.relationsIn(schema.oid)) await dropRelationTree(w, relation.oid);
    await w.deleteSchema(schema.oid);
  }
}
