/**
 * Name resolution inside DDL: find an object or raise PostgreSQL's error for its absence.
 */
import type { RelationEntry, RoleEntry, SchemaEntry, ServerEntry } from './catalog-entries.js';
import { catalogError } from './catalog-errors.js';
import type { QualifiedName } from './catalog-requests.js';
import type { CatalogSnapshot } from './catalog-snapshot.js';

export function requireRole(snapshot: CatalogSnapshot, name: string): RoleEntry {
  const role = snapshot.role(name);
  if (!role) throw catalogError.undefinedRole(name);
  return role;
}

export function requireServer(snapshot: CatalogSnapshot, name: string): ServerEntry {
  const server = snapshot.server(name);
  if (!server) throw catalogError.undefinedServer(name);
  return server;
}

export function requireSchema(snapshot: CatalogSnapshot, name: string | undefined): SchemaEntry {
  const schema = snapshot.schema(name ?? 'public');
  if (!schema) throw catalogError.undefinedSchema(name ?? 'public');
  return schema;
}

/** A relation named in ALTER / ATTACH / SECURITY LABEL / PARTITION OF: 42P01 when absent. */
export function requireRelation(snapshot: CatalogSnapshot, name: QualifiedName): RelationEntry {
  requireSchema(snapshot, name.schema);
  const relation = snapshot.relation(name);
  if (!relation) throw catalogError.undefinedRelation(displayName(name));
  return relation;
}

/** The name as the user wrote it, qualified only if they qualified it. */
export function displayName(name: QualifiedName): string {
  return name.schema === undefined ? name.name : `${name.schema}.${name.name}`;
}
