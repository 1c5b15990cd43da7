/**
 * The mapping between catalog tables and entries, both ways. PostgreSQL returns bigint
 * columns as strings and SQLite returns booleans as 0/1, so every value read is
 * normalised here and nowhere else.
 */
import type { Knex } from 'knex';
import type {
  ColumnEntry,
  OptionList,
  PartitionValue,
  RelationEntry,
  RelationKind,
  RoleEntry,
  SchemaEntry,
  SecurityLabelEntry,
  ServerEntry,
  UserMappingEntry,
  WrapperEntry,
} from './catalog-entries.js';
import { type CatalogData, labelKey } from './catalog-snapshot.js';

type Row = Record<string, unknown>;

const num = (value: unknown): number => Number(value);
const bool = (value: unknown): boolean => value === true || value === 1 || value === '1';
const text = (value: unknown): string => String(value);
const nullableText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export function encodeOptions(options: OptionList): string {
  return JSON.stringify(options.map(([key, value]) => [key, value]));
}

function decodeOptions(value: unknown): OptionList {
  const parsed: unknown = JSON.parse(text(value));
  if (!Array.isArray(parsed)) return [];
  return parsed.map((pair) => [text((pair as unknown[])[0]), text((pair as unknown[])[1])] as const);
}

export function encodePartitionValues(values: readonly PartitionValue[]): string {
  return JSON.stringify(values);
}

/** The key under which one bound value is unique within a parent: NULL is a value too. */
export function partitionValueKey(value: PartitionValue): string {
  return JSON.stringify(value);
}

function decodePartitionValues(value: unknown): PartitionValue[] {
  const parsed: unknown = JSON.parse(text(value));
  return Array.isArray(parsed) ? parsed.map((v) => (v === null ? null : text(v))) : [];
}

export function roleRow(role: RoleEntry): Row {
  return { oid: role.oid, name: role.name, verifier: role.verifier, can_login: role.canLogin, superuser: role.superuser };
}

export function schemaRow(schema: SchemaEntry): Row {
  return { oid: schema.oid, name: schema.name, owner_oid: schema.ownerOid };
}

export function serverRow(server: ServerEntry): Row {
  return {
    oid: server.oid,
    name: server.name,
    wrapper_oid: server.wrapperOid,
    owner_oid: server.ownerOid,
    server_type: server.type,
    server_version: server.version,
    options: encodeOptions(server.options),
  };
}

export function userMappingRow(mapping: UserMappingEntry): Row {
  return { oid: mapping.oid, server_oid: mapping.serverOid, role_oid: mapping.roleOid, options: encodeOptions(mapping.options) };
}

/** The c2d_relations row; columns and partition values have tables of their own. */
export function relationRow(relation: RelationEntry): Row {
  return {
    oid: relation.oid,
    schema_oid: relation.schemaOid,
    name: relation.name,
    kind: relation.kind,
    owner_oid: relation.ownerOid,
    server_oid: relation.serverOid,
    options: encodeOptions(relation.options),
    partition_strategy: relation.partitionKey ? 'l' : null,
    partition_key_attnum: relation.partitionKey?.attnum ?? null,
    parent_oid: relation.partitionOf?.parentOid ?? null,
    partition_values: relation.partitionOf ? encodePartitionValues(relation.partitionOf.values) : null,
  };
}

export function columnRow(relationOid: number, column: ColumnEntry): Row {
  return {
    relation_oid: relationOid,
    attnum: column.attnum,
    name: column.name,
    type_oid: column.typeOid,
    typmod: column.typmod,
    not_null: column.notNull,
  };
}

/** Reads every catalog table; call inside a transaction for a consistent picture. */
export async function readCatalogData(db: Knex | Knex.Transaction): Promise<{ version: number; nextOid: number; data: CatalogData }> {
  const [state] = (await db('c2d_catalog_state').where({ id: 1 })) as Row[];
  if (!state) throw new Error('the catalog has no state row: it was not migrated');
  // One query at a time: a transaction is one connection, and pg will not pipeline on it.
  const roles = (await db('c2d_roles')) as Row[];
  const wrappers = (await db('c2d_wrappers')) as Row[];
  const schemas = (await db('c2d_schemas')) as Row[];
  const servers = (await db('c2d_servers')) as Row[];
  const mappings = (await db('c2d_user_mappings')) as Row[];
  const relations = (await db('c2d_relations')) as Row[];
  const columns = (await db('c2d_columns').orderBy([{ column: 'relation_oid' }, { column: 'attnum' }])) as Row[];
  const labels = (await db('c2d_security_labels')) as Row[];

  const columnsOf = new Map<number, ColumnEntry[]>();
  for (const row of columns) {
    const oid = num(row.relation_oid);
    const list = columnsOf.get(oid) ?? [];
    list.push({ attnum: num(row.attnum), name: text(row.name), typeOid: num(row.type_oid), typmod: num(row.typmod), notNull: bool(row.not_null) });
    columnsOf.set(oid, list);
  }

  const data: CatalogData = {
    roles: new Map(roles.map((r): [number, RoleEntry] => [num(r.oid), {
      oid: num(r.oid), name: text(r.name), verifier: nullableText(r.verifier), canLogin: bool(r.can_login), superuser: bool(r.superuser),
    }])),
    wrappers: new Map(wrappers.map((w): [number, WrapperEntry] => [num(w.oid), { oid: num(w.oid), name: text(w.name), ownerOid: num(w.owner_oid) }])),
    schemas: new Map(schemas.map((s): [number, SchemaEntry] => [num(s.oid), { oid: num(s.oid), name: text(s.name), ownerOid: num(s.owner_oid) }])),
    servers: new Map(servers.map((s): [number, ServerEntry] => [num(s.oid), {
      oid: num(s.oid),
      name: text(s.name),
      wrapperOid: num(s.wrapper_oid),
      ownerOid: num(s.owner_oid),
      type: nullableText(s.server_type),
      version: nullableText(s.server_version),
      options: decodeOptions(s.options),
    }])),
    userMappings: new Map(mappings.map((m): [number, UserMappingEntry] => [num(m.oid), {
      oid: num(m.oid), serverOid: num(m.server_oid), roleOid: num(m.role_oid), options: decodeOptions(m.options),
    }])),
    relations: new Map(relations.map((r): [number, RelationEntry] => [num(r.oid), {
      oid: num(r.oid),
      schemaOid: num(r.schema_oid),
      name: text(r.name),
      kind: text(r.kind) as RelationKind,
      ownerOid: num(r.owner_oid),
      columns: columnsOf.get(num(r.oid)) ?? [],
      serverOid: r.server_oid === null ? null : num(r.server_oid),
      options: decodeOptions(r.options),
      partitionKey: r.partition_strategy === null ? null : { strategy: 'list', attnum: num(r.partition_key_attnum) },
      partitionOf: r.parent_oid === null ? null : { parentOid: num(r.parent_oid), values: decodePartitionValues(r.partition_values) },
    }])),
    labels: new Map(labels.map((l): [string, SecurityLabelEntry] => {
      const entry = { relationOid: num(l.relation_oid), attnum: num(l.attnum), provider: text(l.provider), label: text(l.label) };
      return [labelKey(entry.relationOid, entry.attnum, entry.provider), entry];
    })),
  };
  return { version: num(state.version), nextOid: num(state.next_oid), data };
}
