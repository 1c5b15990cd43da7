/**
 * Installs the pg_catalog / information_schema emulation into a DuckDB instance: an
 * attached in-memory database holding PostgreSQL's catalog relations as tables (with
 * PostgreSQL's columns), macros for its catalog functions, and rows describing the
 * user's DuckDB tables as PostgreSQL would. Queries reach it through src/sql's rewrite.
 */
import { pgTypes } from '../sql/types/index.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { builtinTypes } from '../sql/builtin-types.js';
import {
  emulatedFunctions,
  emulationCatalog,
  informationSchemaSchema,
  pgCatalogSchema,
} from '../sql/rewrite/emulation.js';
import { catalogColumns } from './catalog-columns.js';
import { readDuckDbMetadata } from './duckdb-metadata.js';
import { helperViewDefinitions, macroDefinitions, tableMacroDefinitions } from './macros.js';
import { qualifiedTable, replaceRows, type Row } from './rows.js';
import { quoteIdent, sqlLiteral } from './sql-literal.js';
import {
  accessMethods,
  collations,
  DATABASE_OID,
  FIRST_LOCAL_OID,
  OWNER_ROLE,
  PG_CATALOG_NAMESPACE,
  systemNamespaces,
  systemRelations,
  tablespaces,
} from './system-objects.js';
import { buildUserObjectRows, pgSchemaName, type OidAllocator } from './user-objects.js';
import { federationObjectRows, type FederationObjectRows } from './federation-objects.js';
import type { CatalogSnapshot } from '../catalog/catalog-snapshot.js';

export interface PgCatalogOptions {
  database: string;
  user: string;
  /** server_version, e.g. '16.4 (C2D 0.1.0)'. */
  serverVersion: string;
  /** What version() returns. */
  versionString: string;
}

const schemas = { pg: pgCatalogSchema, info: informationSchemaSchema };
const S = `${quoteIdent(emulationCatalog)}.${quoteIdent(pgCatalogSchema)}`;
const table = (relation: string): string => qualifiedTable(relation, schemas);

/** Installs the emulation (idempotent: a second call rebuilds it) and fills it. */
export async function installPgCatalog(
  connection: DuckDBConnection,
  options: PgCatalogOptions,
  federation: CatalogSnapshot | null = null,
): Promise<void> {
  await connection.run(`ATTACH IF NOT EXISTS ':memory:' AS ${quoteIdent(emulationCatalog)}`);
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(emulationCatalog)}.${quoteIdent(informationSchemaSchema)}`);
  for (const [relation, columns] of Object.entries(catalogColumns)) {
    const columnList = columns.map(([name, type]) => `${quoteIdent(name)} ${type}`).join(', ');
    await connection.run(`CREATE OR REPLACE TABLE ${table(relation)} (${columnList})`);
  }
  await connection.run(`CREATE OR REPLACE TABLE ${S}.c2d_types (c2d_t_oid INTEGER, c2d_t_name VARCHAR, c2d_t_display VARCHAR, c2d_t_elem INTEGER)`);
  await connection.run(`CREATE OR REPLACE TABLE ${S}.c2d_definitions (c2d_def_oid INTEGER, c2d_def_text VARCHAR)`);
  await connection.run(`CREATE OR REPLACE TABLE ${S}.c2d_partkeys (c2d_pk_oid INTEGER, c2d_pk_text VARCHAR)`);
  await connection.run(`CREATE OR REPLACE TABLE ${S}.c2d_partconstraints (c2d_pc_oid INTEGER, c2d_pc_text VARCHAR)`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${S}.c2d_oids (key VARCHAR PRIMARY KEY, oid INTEGER)`);

  // Macros refer to each other and to the tables, so they come after both.
  const constants = {
    database: options.database,
    user: options.user,
    versionString: options.versionString,
    backendPid: process.pid,
    startTime: new Date().toISOString(),
  };
  for (const definition of [...helperViewDefinitions(), ...macroDefinitions(constants), ...tableMacroDefinitions()]) {
    await connection.run(definition.replaceAll('S.', `${S}.`));
  }
  await writeStaticRows(connection, options);
  await refreshPgCatalog(connection, options, federation);
}

async function writeStaticRows(connection: DuckDBConnection, options: PgCatalogOptions): Promise<void> {
  // The pg_type rows src/sql/types keeps (checked column by column against PostgreSQL's).
  await replaceRows(connection, 'pg_type', table('pg_type'), pgTypes.map((t) => ({ ...t })));
  await connection.run(`DELETE FROM ${S}.c2d_types`);
  await connection.run(
    `INSERT INTO ${S}.c2d_types VALUES ${builtinTypes
      .map((t) => `(${t.oid}, ${sqlLiteral(t.name)}, ${sqlLiteral(t.display)}, ${t.elem})`)
      .join(', ')}`,
  );
  await replaceRows(connection, 'pg_am', table('pg_am'), accessMethods);
  await replaceRows(connection, 'pg_collation', table('pg_collation'), collations);
  await replaceRows(connection, 'pg_tablespace', table('pg_tablespace'), tablespaces);
  await replaceRows(connection, 'pg_database', table('pg_database'), [{
    oid: DATABASE_OID,
    datname: options.database,
    datdba: OWNER_ROLE,
    encoding: 6,
    datlocprovider: 'c',
    datistemplate: false,
    datallowconn: true,
    datconnlimit: -1,
    datfrozenxid: 0,
    datminmxid: 1,
    dattablespace: 1663,
    datcollate: 'C.UTF-8',
    datctype: 'C.UTF-8',
  }]);
  await replaceRows(connection, 'pg_settings', table('pg_settings'), settingsRows(options));
  let procOid = 9000;
  // The emulated functions, and the types' I/O functions pg_type names (Npgsql joins
  // pg_type.typreceive to pg_proc to tell arrays by array_recv).
  const typeFunctions = pgTypes.flatMap((t) => [t.typinput, t.typoutput, t.typreceive, t.typsend]).filter((name) => name && name !== '-');
  const procNames = [...new Set([...emulatedFunctions].filter((name) => !name.startsWith('c2d_') && !name.startsWith('_')).concat(typeFunctions))];
  await replaceRows(connection, 'pg_proc', table('pg_proc'), procNames
    .map((name) => ({
      oid: procOid++,
      proname: name,
      pronamespace: PG_CATALOG_NAMESPACE,
      proowner: OWNER_ROLE,
      prolang: 12,
      procost: 1,
      prorows: 0,
      provariadic: 0,
      prosupport: '-',
      prokind: 'f',
      prosecdef: false,
      proleakproof: false,
      proisstrict: true,
      proretset: name === 'pg_partition_ancestors',
      provolatile: 's',
      proparallel: 's',
      pronargs: 0,
      pronargdefaults: 0,
      prorettype: 25,
      proargtypes: [],
      prosrc: name,
    })));
}

function settingsRows(options: PgCatalogOptions): Row[] {
  const versionNum = versionNumber(options.serverVersion);
  const settings: [string, string, string, string][] = [
    ['server_version', options.serverVersion, 'Preset Options', 'internal'],
    ['server_version_num', versionNum, 'Preset Options', 'internal'],
    ['server_encoding', 'UTF8', 'Preset Options', 'internal'],
    ['client_encoding', 'UTF8', 'Client Connection Defaults / Locale and Formatting', 'user'],
    ['DateStyle', 'ISO, MDY', 'Client Connection Defaults / Locale and Formatting', 'user'],
    ['IntervalStyle', 'postgres', 'Client Connection Defaults / Locale and Formatting', 'user'],
    ['TimeZone', 'UTC', 'Client Connection Defaults / Locale and Formatting', 'user'],
    ['extra_float_digits', '1', 'Client Connection Defaults / Locale and Formatting', 'user'],
    ['search_path', '"$user", public', 'Client Connection Defaults / Statement Behavior', 'user'],
    ['standard_conforming_strings', 'on', 'Version and Platform Compatibility / Previous PostgreSQL Versions', 'user'],
    ['integer_datetimes', 'on', 'Preset Options', 'internal'],
    ['max_identifier_length', '63', 'Preset Options', 'internal'],
    ['max_connections', '100', 'Connections and Authentication / Connection Settings', 'postmaster'],
    ['default_transaction_read_only', 'off', 'Client Connection Defaults / Statement Behavior', 'user'],
    ['transaction_isolation', 'read committed', 'Client Connection Defaults / Statement Behavior', 'user'],
    ['bytea_output', 'hex', 'Client Connection Defaults / Statement Behavior', 'user'],
    ['lc_collate', 'C.UTF-8', 'Preset Options', 'internal'],
    ['lc_ctype', 'C.UTF-8', 'Preset Options', 'internal'],
    ['statement_timeout', '0', 'Client Connection Defaults / Statement Behavior', 'user'],
  ];
  return settings.map(([name, setting, category, context]) => ({
    name,
    setting,
    category,
    context,
    vartype: /^\d+$/.test(setting) ? 'integer' : 'string',
    source: 'default',
    boot_val: setting,
    reset_val: setting,
    pending_restart: false,
  }));
}

/** '16.4 (C2D)' → '160004', as server_version_num spells it. */
function versionNumber(version: string): string {
  const match = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!match) return '0';
  return String(Number(match[1]) * 10000 + Number(match[2] ?? 0));
}

/**
 * Rebuilds the rows describing user objects: the federation catalog's (when given) and the
 * gateway DuckDB's own. Call after either changes. A DuckDB object named like a catalog
 * relation is hidden behind it, and DuckDB schemas named c2d_* are the gateway's own work.
 */
export async function refreshPgCatalog(
  connection: DuckDBConnection,
  options: Pick<PgCatalogOptions, 'database' | 'user'>,
  federation: CatalogSnapshot | null = null,
): Promise<void> {
  const fed = federation ? federationObjectRows(federation, options.database) : null;
  const fedNamespaces = new Map((fed?.pg['pg_namespace'] ?? []).map((n) => [String(n['nspname']), Number(n['oid'])]));
  const fedRelations = new Set(
    (fed?.pg['pg_class'] ?? []).map((c) => `${[...fedNamespaces].find(([, oid]) => oid === c['relnamespace'])?.[0] ?? ''}.${String(c['relname'])}`),
  );
  const rawMeta = await readDuckDbMetadata(connection);
  const meta = {
    schemas: rawMeta.schemas.filter((schema) => !schema.startsWith('c2d_')),
    relations: rawMeta.relations.filter((r) => !r.schema.startsWith('c2d_') && !fedRelations.has(`${pgSchemaName(r.schema)}.${r.name}`)),
    constraints: rawMeta.constraints.filter((c) => !c.schema.startsWith('c2d_') && !fedRelations.has(`${pgSchemaName(c.schema)}.${c.table}`)),
  };
  const oids = await loadOidAllocator(connection);
  const rows = buildUserObjectRows(meta, oids, options.database, options.user);
  // Local schemas take the catalog's OID where it has one of the same name.
  const localNamespaceOid = new Map<number, number>();
  for (const n of rows.namespaces) {
    const fedOid = fedNamespaces.get(String(n['nspname']));
    if (fedOid !== undefined) localNamespaceOid.set(Number(n['oid']), fedOid);
  }
  const renamespace = (row: Row, column: string): Row => {
    const mapped = localNamespaceOid.get(Number(row[column]));
    return mapped === undefined ? row : { ...row, [column]: mapped };
  };
  const namespaces = [
    ...systemNamespaces,
    ...(fed?.pg['pg_namespace'] ?? []),
    ...rows.namespaces.filter((n) => !fedNamespaces.has(String(n['nspname']))),
  ];
  const systemClasses: Row[] = systemRelations.map(([name, oid, kind]) => ({
    oid,
    relname: name,
    relnamespace: PG_CATALOG_NAMESPACE,
    reltype: 0,
    reloftype: 0,
    relowner: OWNER_ROLE,
    relam: kind === 'r' ? 2 : 0,
    relfilenode: 0,
    reltablespace: 0,
    relpages: 0,
    reltuples: -1,
    relallvisible: 0,
    reltoastrelid: 0,
    relhasindex: false,
    relisshared: ['pg_authid', 'pg_database', 'pg_tablespace', 'pg_auth_members', 'pg_shdescription'].includes(name),
    relpersistence: 'p',
    relkind: kind,
    relnatts: catalogColumns[name]?.length ?? 0,
    relchecks: 0,
    relhasrules: kind === 'v',
    relhastriggers: false,
    relhassubclass: false,
    relrowsecurity: false,
    relforcerowsecurity: false,
    relispopulated: true,
    relreplident: kind === 'r' ? 'n' : 'n',
    relispartition: false,
    relrewrite: 0,
    relfrozenxid: 0,
    relminmxid: 0,
  }));
  const classes = [...systemClasses, ...(fed?.pg['pg_class'] ?? []), ...rows.classes.map((c) => renamespace(c, 'relnamespace'))];
  const roles = fed && fed.pg['pg_roles']!.length > 0 ? fed.pg : staticRoles(options.user);
  const fedRows = (relation: string): Row[] => fed?.pg[relation] ?? [];
  await connection.run('BEGIN TRANSACTION');
  try {
    await saveOids(connection, oids);
    await replaceRows(connection, 'pg_namespace', table('pg_namespace'), namespaces);
    await replaceRows(connection, 'pg_class', table('pg_class'), classes);
    await replaceRows(connection, 'pg_attribute', table('pg_attribute'), [...fedRows('pg_attribute'), ...rows.attributes]);
    await replaceRows(connection, 'pg_attrdef', table('pg_attrdef'), rows.attrdefs);
    await replaceRows(connection, 'pg_constraint', table('pg_constraint'), rows.constraints.map((c) => renamespace(c, 'connamespace')));
    await replaceRows(connection, 'pg_index', table('pg_index'), rows.indexes);
    await replaceRows(connection, 'pg_description', table('pg_description'), rows.descriptions);
    for (const relation of ['pg_authid', 'pg_roles', 'pg_user']) {
      await replaceRows(connection, relation, table(relation), roles[relation] ?? []);
    }
    for (const relation of [
      'pg_foreign_data_wrapper', 'pg_foreign_server', 'pg_user_mapping', 'pg_user_mappings', 'pg_foreign_table',
      'pg_inherits', 'pg_partitioned_table', 'pg_seclabel', 'pg_seclabels',
    ]) {
      await replaceRows(connection, relation, table(relation), fedRows(relation));
    }
    await replaceRows(connection, 'pg_tables', table('pg_tables'), tablesView(classes, namespaces, roles['pg_roles'] ?? []));
    await replaceRows(connection, 'info:tables', table('info:tables'), [...(fed?.infoTables ?? []), ...rows.infoTables]);
    await replaceRows(connection, 'info:columns', table('info:columns'), [...(fed?.infoColumns ?? []), ...rows.infoColumns]);
    await replaceRows(connection, 'info:schemata', table('info:schemata'), schemata(namespaces, options.database, roles['pg_roles'] ?? []));
    for (const [relation, relationRows] of Object.entries(fed?.infoForeign ?? emptyForeign)) {
      await replaceRows(connection, relation, table(relation), relationRows);
    }
    await connection.run(`DELETE FROM ${S}.c2d_definitions`);
    if (rows.definitions.length > 0) {
      await connection.run(
        `INSERT INTO ${S}.c2d_definitions VALUES ${rows.definitions
          .map((d) => `(${sqlLiteral(d['oid'] ?? null)}, ${sqlLiteral(d['definition'] ?? null)})`)
          .join(', ')}`,
      );
    }
    await connection.run(`DELETE FROM ${S}.c2d_partkeys`);
    if (fed && fed.partitionKeys.length > 0) {
      await connection.run(
        `INSERT INTO ${S}.c2d_partkeys VALUES ${fed.partitionKeys.map((k) => `(${k.oid}, ${sqlLiteral(k.definition)})`).join(', ')}`,
      );
    }
    await connection.run(`DELETE FROM ${S}.c2d_partconstraints`);
    if (fed && fed.partitionConstraints.length > 0) {
      await connection.run(
        `INSERT INTO ${S}.c2d_partconstraints VALUES ${fed.partitionConstraints.map((k) => `(${k.oid}, ${sqlLiteral(k.definition)})`).join(', ')}`,
      );
    }
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
}

const emptyForeign: FederationObjectRows['infoForeign'] = {
  'info:foreign_tables': [],
  'info:foreign_table_options': [],
  'info:foreign_servers': [],
  'info:foreign_server_options': [],
  'info:foreign_data_wrappers': [],
  'info:user_mappings': [],
};

/** Without a federation catalog, the session's user is the one role, and owns everything. */
function staticRoles(user: string): Record<string, Row[]> {
  const role: Row = {
    rolname: user,
    rolsuper: true,
    rolinherit: true,
    rolcreaterole: false,
    rolcreatedb: false,
    rolcanlogin: true,
    rolreplication: false,
    rolconnlimit: -1,
    rolbypassrls: false,
    oid: OWNER_ROLE,
  };
  return {
    pg_roles: [{ ...role, rolpassword: '********' }],
    pg_authid: [role],
    pg_user: [{
      usename: user,
      usesysid: OWNER_ROLE,
      usecreatedb: false,
      usesuper: true,
      userepl: false,
      usebypassrls: false,
      passwd: '********',
    }],
  };
}

/** pg_tables, as PostgreSQL's view defines it: ordinary and partitioned tables. */
function tablesView(classes: readonly Row[], namespaces: readonly Row[], roles: readonly Row[]): Row[] {
  const nspName = new Map(namespaces.map((n) => [Number(n['oid']), String(n['nspname'])]));
  const roleName = new Map(roles.map((r) => [Number(r['oid']), String(r['rolname'])]));
  return classes
    .filter((c) => c['relkind'] === 'r' || c['relkind'] === 'p')
    .map((c) => ({
      schemaname: nspName.get(Number(c['relnamespace'])) ?? null,
      tablename: c['relname'] as string,
      tableowner: roleName.get(Number(c['relowner'])) ?? null,
      tablespace: null,
      hasindexes: c['relhasindex'] as boolean,
      hasrules: c['relhasrules'] as boolean,
      hastriggers: c['relhastriggers'] as boolean,
      rowsecurity: c['relrowsecurity'] as boolean,
    }));
}

/** information_schema.schemata: every schema, owned by its owner. */
function schemata(namespaces: readonly Row[], database: string, roles: readonly Row[]): Row[] {
  const roleName = new Map(roles.map((r) => [Number(r['oid']), String(r['rolname'])]));
  return namespaces
    .filter((n) => n['nspname'] !== 'pg_toast')
    .map((n) => ({ catalog_name: database, schema_name: n['nspname'] as string, schema_owner: roleName.get(Number(n['nspowner'])) ?? null }));
}

interface PersistentOids extends OidAllocator {
  readonly added: Map<string, number>;
}

async function loadOidAllocator(connection: DuckDBConnection): Promise<PersistentOids> {
  const reader = await connection.runAndReadAll(`SELECT key, oid FROM ${S}.c2d_oids`);
  const known = new Map<string, number>();
  let next = FIRST_LOCAL_OID;
  for (const [key, oid] of reader.getRows()) {
    known.set(String(key), Number(oid));
    next = Math.max(next, Number(oid) + 1);
  }
  const added = new Map<string, number>();
  return {
    added,
    oidOf(key: string): number {
      let oid = known.get(key);
      if (oid === undefined) {
        oid = next++;
        known.set(key, oid);
        added.set(key, oid);
      }
      return oid;
    },
  };
}

async function saveOids(connection: DuckDBConnection, oids: PersistentOids): Promise<void> {
  if (oids.added.size === 0) return;
  const values = [...oids.added].map(([key, oid]) => `(${sqlLiteral(key)}, ${oid})`).join(', ');
  await connection.run(`INSERT INTO ${S}.c2d_oids VALUES ${values}`);
}

