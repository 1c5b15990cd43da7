/**
 * The federation catalog's rows (src/catalog/pg-catalog-rows.ts, PostgreSQL-shaped) as
 * the emulation's rows: pg_* relations as they are, plus what PostgreSQL derives from
 * them in views (pg_user, pg_seclabels, information_schema's tables, columns and SQL/MED
 * views) and the partition key text pg_get_partkeydef prints.
 */
import type { CatalogSnapshot } from '../catalog/catalog-snapshot.js';
import type { PartitionValue } from '../catalog/catalog-entries.js';
import { pgCatalogRows, type PgCatalogRow } from '../catalog/pg-catalog-rows.js';
import { builtinTypeByOid } from '../sql/builtin-types.js';
import { infoColumnRow } from './info-columns.js';
import type { Row } from './rows.js';

export interface FederationObjectRows {
  /** Rows for pg_* relations, keyed by relation name. */
  pg: Record<string, Row[]>;
  infoTables: Row[];
  infoColumns: Row[];
  infoForeign: Record<string, Row[]>;
  /** pg_get_partkeydef text per partitioned table OID. */
  partitionKeys: { oid: number; definition: string }[];
  /** pg_get_partition_constraintdef text per partition OID. */
  partitionConstraints: { oid: number; definition: string }[];
}

/**
 * The implicit constraint of a list partition as PostgreSQL prints it:
 * `((party IS NOT NULL) AND (party = 'bmc'::text))`, `= ANY (ARRAY[…])` for several values.
 */
export function partitionConstraintText(key: string, typeOid: number, typmod: number, values: readonly PartitionValue[]): string {
  const type = builtinTypeByOid(typeOid);
  const display = type?.display ?? 'text';
  const varchar = typeOid === 1043;
  // varchar compares as text, against a literal of the column's own type: 'x'::character varying(5).
  const column = varchar ? `(${key})::text` : key;
  const literalType = varchar && typmod >= 4 ? `${display}(${typmod - 4})` : display;
  const literal = (value: string): string => {
    if (typeOid === 23 && !value.startsWith('-')) return value;
    return `'${value.replaceAll("'", "''")}'::${literalType}`;
  };
  const nonNull = values.filter((v): v is string => v !== null);
  const hasNull = nonNull.length < values.length;
  const test = nonNull.length === 1 ? `(${column} = ${literal(nonNull[0]!)})` : `(${column} = ANY (ARRAY[${nonNull.map(literal).join(', ')}]))`;
  if (nonNull.length === 0) return `(${key} IS NULL)`;
  return hasNull ? `((${key} IS NULL) OR ${test})` : `((${key} IS NOT NULL) AND ${test})`;
}

const asRows = (rows: readonly PgCatalogRow[]): Row[] => rows as unknown as Row[];

/** `{host=a,port=1}` as PostgreSQL's information_schema splits it: at the first `=`. */
function splitOption(option: string | number): [string, string] {
  const text = String(option);
  const at = text.indexOf('=');
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

export function federationObjectRows(snapshot: CatalogSnapshot, database: string): FederationObjectRows {
  const rows = pgCatalogRows(snapshot);
  const namespaceName = new Map(rows.pg_namespace.map((n) => [Number(n['oid']), String(n['nspname'])]));
  const roleName = new Map(rows.pg_roles.map((r) => [Number(r['oid']), String(r['rolname'])]));
  const serverName = new Map(rows.pg_foreign_server.map((s) => [Number(s['oid']), String(s['srvname'])]));
  const wrapperName = new Map(rows.pg_foreign_data_wrapper.map((w) => [Number(w['oid']), String(w['fdwname'])]));
  const classByOid = new Map(rows.pg_class.map((c) => [Number(c['oid']), c]));
  const attributes = (relid: number): PgCatalogRow[] =>
    rows.pg_attribute.filter((a) => Number(a['attrelid']) === relid).sort((a, b) => Number(a['attnum']) - Number(b['attnum']));

  const infoTables: Row[] = [];
  const infoColumns: Row[] = [];
  for (const relation of rows.pg_class) {
    const oid = Number(relation['oid']);
    const schema = namespaceName.get(Number(relation['relnamespace'])) ?? 'public';
    const table = String(relation['relname']);
    infoTables.push({
      table_catalog: database,
      table_schema: schema,
      table_name: table,
      table_type: relation['relkind'] === 'f' ? 'FOREIGN' : 'BASE TABLE',
      // The gateway answers queries; it never writes to the parties' data.
      is_insertable_into: 'NO',
      is_typed: 'NO',
    });
    for (const attribute of attributes(oid)) {
      infoColumns.push(infoColumnRow({
        database,
        schema,
        table,
        column: String(attribute['attname']),
        position: Number(attribute['attnum']),
        typeOid: Number(attribute['atttypid']),
        typmod: Number(attribute['atttypmod']),
        nullable: attribute['attnotnull'] !== true,
        defaultExpr: null,
        updatable: false,
      }));
    }
  }

  const users: Row[] = rows.pg_authid
    .filter((r) => r['rolcanlogin'] === true)
    .map((r) => ({
      usename: r['rolname'] as string,
      usesysid: r['oid'] as number,
      usecreatedb: r['rolcreatedb'] as boolean,
      usesuper: r['rolsuper'] as boolean,
      userepl: r['rolreplication'] as boolean,
      usebypassrls: r['rolbypassrls'] as boolean,
      passwd: '********',
      valuntil: null,
      useconfig: null,
    }));

  const seclabels: Row[] = rows.pg_seclabel.map((label) => {
    const relation = classByOid.get(Number(label['objoid']));
    const nsp = Number(relation?.['relnamespace'] ?? 0);
    const schema = namespaceName.get(nsp) ?? 'public';
    const table = String(relation?.['relname'] ?? label['objoid']);
    // pg_seclabels qualifies names the search path ("$user", public) does not find.
    const tableName = schema === 'public' ? quoteIdentifier(table) : `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
    const attnum = Number(label['objsubid']);
    const column = attributes(Number(label['objoid'])).find((a) => Number(a['attnum']) === attnum);
    const kind = relation?.['relkind'] === 'f' ? 'foreign table' : 'table';
    return {
      objoid: label['objoid'] as number,
      classoid: label['classoid'] as number,
      objsubid: attnum,
      objtype: attnum === 0 ? kind : 'column',
      objnamespace: nsp,
      objname: attnum === 0 ? tableName : `${tableName}.${String(column?.['attname'] ?? attnum)}`,
      provider: label['provider'] as string,
      label: label['label'] as string,
    };
  });

  const partitionKeys = rows.pg_partitioned_table.map((p) => {
    const relid = Number(p['partrelid']);
    const keys = (p['partattrs'] as readonly number[]).map((attnum) =>
      quoteIdentifier(String(attributes(relid).find((a) => Number(a['attnum']) === Number(attnum))?.['attname'] ?? attnum)));
    const strategy = ({ l: 'LIST', r: 'RANGE', h: 'HASH' } as Record<string, string>)[String(p['partstrat'])] ?? 'LIST';
    return { oid: relid, definition: `${strategy} (${keys.join(', ')})` };
  });

  const partitionConstraints: { oid: number; definition: string }[] = [];
  for (const relation of snapshot.relations) {
    if (!relation.partitionOf) continue;
    const parent = snapshot.relationByOid(relation.partitionOf.parentOid);
    const key = parent?.columns.find((c) => c.attnum === parent.partitionKey?.attnum);
    if (!key) continue;
    partitionConstraints.push({ oid: relation.oid, definition: partitionConstraintText(quoteIdentifier(key.name), key.typeOid, key.typmod, relation.partitionOf.values) });
  }

  const foreignTables: Row[] = [];
  const foreignTableOptions: Row[] = [];
  for (const ft of rows.pg_foreign_table) {
    const relation = classByOid.get(Number(ft['ftrelid']));
    if (!relation) continue;
    const names = {
      foreign_table_catalog: database,
      foreign_table_schema: namespaceName.get(Number(relation['relnamespace'])) ?? 'public',
      foreign_table_name: String(relation['relname']),
    };
    foreignTables.push({ ...names, foreign_server_catalog: database, foreign_server_name: serverName.get(Number(ft['ftserver'])) ?? null });
    for (const option of (ft['ftoptions'] as readonly string[] | null) ?? []) {
      const [option_name, option_value] = splitOption(option);
      foreignTableOptions.push({ ...names, option_name, option_value });
    }
  }
  const foreignServers: Row[] = [];
  const foreignServerOptions: Row[] = [];
  for (const server of rows.pg_foreign_server) {
    const name = String(server['srvname']);
    foreignServers.push({
      foreign_server_catalog: database,
      foreign_server_name: name,
      foreign_data_wrapper_catalog: database,
      foreign_data_wrapper_name: wrapperName.get(Number(server['srvfdw'])) ?? null,
      foreign_server_type: server['srvtype'] as string | null,
      foreign_server_version: server['srvversion'] as string | null,
      authorization_identifier: roleName.get(Number(server['srvowner'])) ?? null,
    });
    for (const option of (server['srvoptions'] as readonly string[] | null) ?? []) {
      const [option_name, option_value] = splitOption(option);
      foreignServerOptions.push({ foreign_server_catalog: database, foreign_server_name: name, option_name, option_value });
    }
  }
  const wrappers: Row[] = rows.pg_foreign_data_wrapper.map((w) => ({
    foreign_data_wrapper_catalog: database,
    foreign_data_wrapper_name: w['fdwname'] as string,
    authorization_identifier: roleName.get(Number(w['fdwowner'])) ?? null,
    library_name: null,
    foreign_data_wrapper_language: 'c',
  }));
  const mappings: Row[] = rows.pg_user_mappings.map((m) => ({
    authorization_identifier: m['usename'] as string | null,
    foreign_server_catalog: database,
    foreign_server_name: m['srvname'] as string | null,
  }));

  return {
    pg: {
      // Every session may read the emulation, and PostgreSQL shows pg_authid to superusers
      // only: the SCRAM verifiers stay in the catalog.
      pg_authid: rows.pg_authid.map((r) => ({ ...(r as unknown as Row), rolpassword: null })),
      pg_roles: asRows(rows.pg_roles),
      pg_user: users,
      pg_namespace: asRows(rows.pg_namespace),
      pg_foreign_data_wrapper: asRows(rows.pg_foreign_data_wrapper),
      pg_foreign_server: asRows(rows.pg_foreign_server),
      // Mapping options carry the parties' credentials; PostgreSQL shows them only to the
      // mapped user or the server's owner, and the emulation's rows are the same for all.
      pg_user_mapping: rows.pg_user_mapping.map((r) => ({ ...(r as unknown as Row), umoptions: null })),
      pg_user_mappings: rows.pg_user_mappings.map((r) => ({ ...(r as unknown as Row), umoptions: null })),
      pg_class: asRows(rows.pg_class),
      pg_attribute: asRows(rows.pg_attribute),
      pg_foreign_table: asRows(rows.pg_foreign_table),
      pg_inherits: asRows(rows.pg_inherits),
      pg_partitioned_table: asRows(rows.pg_partitioned_table),
      pg_seclabel: asRows(rows.pg_seclabel),
      pg_seclabels: seclabels,
    },
    infoTables,
    infoColumns,
    infoForeign: {
      'info:foreign_tables': foreignTables,
      'info:foreign_table_options': foreignTableOptions,
      'info:foreign_servers': foreignServers,
      'info:foreign_server_options': foreignServerOptions,
      'info:foreign_data_wrappers': wrappers,
      'info:user_mappings': mappings,
    },
    partitionKeys,
    partitionConstraints,
  };
}
