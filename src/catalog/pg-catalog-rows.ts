/**
 * The federation catalog as PostgreSQL 15's catalog rows: what pg_foreign_server,
 * pg_foreign_table, pg_class, pg_attribute, pg_inherits, pg_partitioned_table,
 * pg_seclabel, pg_roles, pg_user_mappings and their neighbours would hold had the same
 * DDL run on PostgreSQL (checked against it column by column in the tests). The
 * pg_catalog emulation loads these; columns not given are NULL there.
 */
import { builtinTypeByOid, type BuiltinType } from '../sql/builtin-types.js';
import {
  PUBLIC_ROLE_OID,
  RelationKind,
  type OptionList,
  type PartitionValue,
  type RelationEntry,
} from './catalog-entries.js';
import type { CatalogSnapshot } from './catalog-snapshot.js';
import { partitionKeyOpclass } from './partition-key-types.js';

export type PgCatalogValue = string | number | boolean | null | readonly (string | number)[];
export type PgCatalogRow = Readonly<Record<string, PgCatalogValue>>;

/** pg_class's OID, the classoid of a relation's security label. */
const PG_CLASS_OID = 1259;
/** What pg_roles shows instead of a password. */
const HIDDEN_PASSWORD = '********';

export interface PgCatalogRows {
  pg_authid: PgCatalogRow[];
  pg_roles: PgCatalogRow[];
  pg_namespace: PgCatalogRow[];
  pg_foreign_data_wrapper: PgCatalogRow[];
  pg_foreign_server: PgCatalogRow[];
  pg_user_mapping: PgCatalogRow[];
  pg_user_mappings: PgCatalogRow[];
  pg_class: PgCatalogRow[];
  pg_attribute: PgCatalogRow[];
  pg_foreign_table: PgCatalogRow[];
  pg_inherits: PgCatalogRow[];
  pg_partitioned_table: PgCatalogRow[];
  pg_seclabel: PgCatalogRow[];
}

/** `{host=10.0.0.1,port=7000}` as a list, or NULL when there are none, as PostgreSQL stores them. */
function optionArray(options: OptionList): readonly string[] | null {
  return options.length === 0 ? null : options.map(([key, value]) => `${key}=${value}`);
}

/**
 * pg_get_expr(relpartbound): PostgreSQL prints numbers and booleans bare, except that a
 * negative number is quoted ('-2'), and everything else as a quoted literal.
 */
export function partitionBoundText(values: readonly PartitionValue[], keyType: BuiltinType | undefined): string {
  const bare = keyType?.category === 'N' || keyType?.category === 'B';
  const literal = (value: PartitionValue): string => {
    if (value === null) return 'NULL';
    if (bare && !value.startsWith('-')) return value;
    return `'${value.replaceAll("'", "''")}'`;
  };
  return `FOR VALUES IN (${values.map(literal).join(', ')})`;
}

function relationRows(snap: CatalogSnapshot, relation: RelationEntry, out: PgCatalogRows): void {
  const parent = relation.partitionOf ? snap.relationByOid(relation.partitionOf.parentOid) : undefined;
  const keyColumn = parent?.columns.find((c) => c.attnum === parent.partitionKey?.attnum);
  out.pg_class.push({
    oid: relation.oid,
    relname: relation.name,
    relnamespace: relation.schemaOid,
    // PostgreSQL gives every table a composite row type; the catalog has none.
    reltype: 0,
    reloftype: 0,
    relowner: relation.ownerOid,
    relam: 0,
    relfilenode: 0,
    reltablespace: 0,
    relpages: 0,
    reltuples: -1,
    relallvisible: 0,
    reltoastrelid: 0,
    relhasindex: false,
    relisshared: false,
    relpersistence: 'p',
    relkind: relation.kind,
    relnatts: relation.columns.reduce((max, c) => Math.max(max, c.attnum), 0),
    relchecks: 0,
    relhasrules: false,
    relhastriggers: false,
    relhassubclass: snap.partitionsOf(relation.oid).length > 0,
    relrowsecurity: false,
    relforcerowsecurity: false,
    relispopulated: true,
    relreplident: relation.kind === RelationKind.partitionedTable ? 'd' : 'n',
    relispartition: relation.partitionOf !== null,
    relrewrite: 0,
    relfrozenxid: 0,
    relminmxid: 0,
    relacl: null,
    reloptions: null,
    relpartbound: relation.partitionOf ? partitionBoundText(relation.partitionOf.values, keyColumn && builtinTypeByOid(keyColumn.typeOid)) : null,
  });
  const partition = relation.partitionOf !== null;
  for (const column of relation.columns) {
    const type = builtinTypeByOid(column.typeOid);
    out.pg_attribute.push({
      attrelid: relation.oid,
      attname: column.name,
      atttypid: column.typeOid,
      attstattarget: -1,
      attlen: type?.len ?? -1,
      attnum: column.attnum,
      // PostgreSQL records array dimensions as declared, and PARTITION OF copies none.
      attndims: !partition && type?.category === 'A' ? 1 : 0,
      attcacheoff: -1,
      atttypmod: column.typmod,
      attbyval: type?.byVal ?? false,
      attalign: type?.align ?? 'i',
      attstorage: type?.storage ?? 'x',
      attcompression: '',
      attnotnull: column.notNull,
      atthasdef: false,
      atthasmissing: false,
      attidentity: '',
      attgenerated: '',
      attisdropped: false,
      attislocal: !partition,
      attinhcount: partition ? 1 : 0,
      attcollation: type?.collation ?? 0,
      attacl: null,
      attoptions: null,
      attfdwoptions: null,
    });
  }
  if (relation.kind === RelationKind.foreignTable) {
    out.pg_foreign_table.push({ ftrelid: relation.oid, ftserver: relation.serverOid, ftoptions: optionArray(relation.options) });
  }
  if (relation.partitionOf) {
    out.pg_inherits.push({ inhrelid: relation.oid, inhparent: relation.partitionOf.parentOid, inhseqno: 1, inhdetachpending: false });
  }
  if (relation.partitionKey) {
    const key = relation.columns.find((c) => c.attnum === relation.partitionKey!.attnum)!;
    const keyType = builtinTypeByOid(key.typeOid);
    out.pg_partitioned_table.push({
      partrelid: relation.oid,
      partstrat: 'l',
      partnatts: 1,
      partdefid: 0,
      partattrs: [key.attnum],
      partclass: [partitionKeyOpclass(key.typeOid)],
      partcollation: [keyType?.collation ?? 0],
      partexprs: null,
    });
  }
}

export function pgCatalogRows(snap: CatalogSnapshot): PgCatalogRows {
  const out: PgCatalogRows = {
    pg_authid: [], pg_roles: [], pg_namespace: [], pg_foreign_data_wrapper: [], pg_foreign_server: [],
    pg_user_mapping: [], pg_user_mappings: [], pg_class: [], pg_attribute: [], pg_foreign_table: [],
    pg_inherits: [], pg_partitioned_table: [], pg_seclabel: [],
  };
  for (const role of snap.roles) {
    const common = {
      rolname: role.name,
      rolsuper: role.superuser,
      rolinherit: true,
      rolcreaterole: role.superuser,
      rolcreatedb: role.superuser,
      rolcanlogin: role.canLogin,
      rolreplication: false,
      rolbypassrls: false,
      rolconnlimit: -1,
      rolvaliduntil: null,
    };
    out.pg_authid.push({ oid: role.oid, ...common, rolpassword: role.verifier });
    out.pg_roles.push({ ...common, rolpassword: HIDDEN_PASSWORD, rolconfig: null, oid: role.oid });
  }
  for (const schema of snap.schemas) out.pg_namespace.push({ oid: schema.oid, nspname: schema.name, nspowner: schema.ownerOid, nspacl: null });
  for (const wrapper of snap.wrappers) {
    out.pg_foreign_data_wrapper.push({
      oid: wrapper.oid, fdwname: wrapper.name, fdwowner: wrapper.ownerOid, fdwhandler: 0, fdwvalidator: 0, fdwacl: null, fdwoptions: null,
    });
  }
  for (const server of snap.servers) {
    out.pg_foreign_server.push({
      oid: server.oid,
      srvname: server.name,
      srvowner: server.ownerOid,
      srvfdw: server.wrapperOid,
      srvtype: server.type,
      srvversion: server.version,
      srvacl: null,
      srvoptions: optionArray(server.options),
    });
  }
  for (const mapping of snap.userMappings) {
    const umoptions = optionArray(mapping.options);
    out.pg_user_mapping.push({ oid: mapping.oid, umuser: mapping.roleOid, umserver: mapping.serverOid, umoptions });
    out.pg_user_mappings.push({
      umid: mapping.oid,
      srvid: mapping.serverOid,
      srvname: snap.serverByOid(mapping.serverOid)?.name ?? null,
      umuser: mapping.roleOid,
      usename: mapping.roleOid === PUBLIC_ROLE_OID ? 'public' : (snap.roleByOid(mapping.roleOid)?.name ?? null),
      umoptions,
    });
  }
  for (const relation of snap.relations) relationRows(snap, relation, out);
  for (const label of snap.securityLabels) {
    out.pg_seclabel.push({ objoid: label.relationOid, classoid: PG_CLASS_OID, objsubid: label.attnum, provider: label.provider, label: label.label });
  }
  return out;
}
