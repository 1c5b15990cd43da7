/**
 * Names: the limits PostgreSQL puts on identifiers (checked again here, since the catalog
 * stores whatever it is given and every byte from a client is hostile), and the way
 * PostgreSQL names objects in dependency messages ("foreign table s.t", "server bmc").
 */
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { PUBLIC_ROLE_OID, RelationKind, type RelationEntry, type UserMappingEntry } from './catalog-entries.js';
import { catalogError } from './catalog-errors.js';
import type { CatalogSnapshot } from './catalog-snapshot.js';

/** NAMEDATALEN - 1. */
const MAX_IDENTIFIER_BYTES = 63;

/** Rejects what PostgreSQL's parser would never produce as an identifier. */
export function checkName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw catalogError.emptyName();
  checkText(name);
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) throw catalogError.nameTooLong(name);
  return name;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** PostgreSQL text holds no NUL and only well-formed UTF-8. */
export function checkText(value: string): string {
  if (typeof value !== 'string') throw catalogError.invalidParameter('expected a text value');
  if (value.includes('\0')) {
    throw new PgError(SqlState.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8": 0x00');
  }
  if (LONE_SURROGATE.test(value)) {
    throw new PgError(SqlState.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8": unpaired surrogate');
  }
  return value;
}

/** A relation as PostgreSQL names it to a user whose search_path is public. */
export function relationDisplayName(snapshot: CatalogSnapshot, relation: RelationEntry): string {
  const { schema, name } = snapshot.qualifiedName(relation);
  return schema === 'public' ? name : `${schema}.${name}`;
}

/** "foreign table s.t_bmc", "table t": the form pg_describe_object gives. */
export function describeRelation(snapshot: CatalogSnapshot, relation: RelationEntry): string {
  const kind = relation.kind === RelationKind.foreignTable ? 'foreign table' : 'table';
  return `${kind} ${relationDisplayName(snapshot, relation)}`;
}

export function mappingRoleName(snapshot: CatalogSnapshot, roleOid: number): string {
  return roleOid === PUBLIC_ROLE_OID ? 'public' : (snapshot.roleByOid(roleOid)?.name ?? `${roleOid}`);
}

export function describeUserMapping(snapshot: CatalogSnapshot, mapping: UserMappingEntry): string {
  return `user mapping for ${mappingRoleName(snapshot, mapping.roleOid)} on server ${snapshot.serverByOid(mapping.serverOid)?.name ?? '?'}`;
}
