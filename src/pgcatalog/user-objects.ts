/**
 * Catalog rows for the user's objects, built from DuckDB's metadata: DuckDB's `main`
 * schema is PostgreSQL's `public`; tables, views, columns, defaults and constraints get
 * pg_class / pg_attribute / pg_attrdef / pg_constraint / pg_index rows with PostgreSQL's
 * types and PostgreSQL's naming of constraints (t_pkey, t_a_b_key, t_a_check, t_a_fkey).
 */
import { builtinTypeByOid } from '../sql/builtin-types.js';
import { pgTypeOfDuckDbType } from '../sql/duckdb-type-map.js';
import type { DuckDbConstraint, DuckDbMetadata, DuckDbRelation } from './duckdb-metadata.js';
import { infoColumnRow } from './info-columns.js';
import type { Row } from './rows.js';
import {
  BTREE_AM,
  DEFAULT_COLLATION,
  HEAP_AM,
  OWNER_ROLE,
  PUBLIC_NAMESPACE,
} from './system-objects.js';

/** Stable OIDs: an object keeps its OID across refreshes for as long as it exists by name. */
export interface OidAllocator {
  oidOf(key: string): number;
}

export interface UserObjectRows {
  namespaces: Row[];
  classes: Row[];
  attributes: Row[];
  attrdefs: Row[];
  constraints: Row[];
  indexes: Row[];
  descriptions: Row[];
  /** pg_get_indexdef / pg_get_constraintdef / pg_get_viewdef text per OID. */
  definitions: Row[];
  infoTables: Row[];
  infoColumns: Row[];
  infoSchemata: Row[];
}

export function pgSchemaName(duckdbSchema: string): string {
  return duckdbSchema === 'main' ? 'public' : duckdbSchema;
}

function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

export function buildUserObjectRows(meta: DuckDbMetadata, oids: OidAllocator, database: string, user: string): UserObjectRows {
  const out: UserObjectRows = {
    namespaces: [],
    classes: [],
    attributes: [],
    attrdefs: [],
    constraints: [],
    indexes: [],
    descriptions: [],
    definitions: [],
    infoTables: [],
    infoColumns: [],
    infoSchemata: [],
  };
  const namespaceOid = new Map<string, number>([['public', PUBLIC_NAMESPACE]]);
  out.namespaces.push({ oid: PUBLIC_NAMESPACE, nspname: 'public', nspowner: OWNER_ROLE });
  for (const schema of meta.schemas) {
    const name = pgSchemaName(schema);
    if (namespaceOid.has(name)) continue;
    const oid = oids.oidOf(`namespace:${name}`);
    namespaceOid.set(name, oid);
    out.namespaces.push({ oid, nspname: name, nspowner: OWNER_ROLE });
  }
  for (const name of ['pg_catalog', 'information_schema', ...namespaceOid.keys()]) {
    out.infoSchemata.push({ catalog_name: database, schema_name: name, schema_owner: user });
  }

  const relationOid = new Map<string, number>();
  for (const relation of meta.relations) {
    const schema = pgSchemaName(relation.schema);
    relationOid.set(`${relation.schema}.${relation.name}`, oids.oidOf(`relation:${schema}.${relation.name}`));
  }
  const constraintsByTable = new Map<string, DuckDbConstraint[]>();
  for (const constraint of meta.constraints) {
    const key = `${constraint.schema}.${constraint.table}`;
    constraintsByTable.set(key, [...(constraintsByTable.get(key) ?? []), constraint]);
  }

  for (const relation of meta.relations) {
    const key = `${relation.schema}.${relation.name}`;
    const oid = relationOid.get(key)!;
    const schema = pgSchemaName(relation.schema);
    const nsp = namespaceOid.get(schema) ?? PUBLIC_NAMESPACE;
    const constraints = constraintsByTable.get(key) ?? [];
    const isTable = relation.kind === 'table';
    out.classes.push(classRow(oid, relation.name, nsp, isTable ? 'r' : 'v', relation.columns.length, {
      relam: isTable ? HEAP_AM : 0,
      relhasindex: constraints.some((c) => c.type === 'PRIMARY KEY' || c.type === 'UNIQUE'),
      relchecks: constraints.filter((c) => c.type === 'CHECK').length,
      relpersistence: relation.temporary ? 't' : 'p',
    }));
    if (relation.comment) out.descriptions.push({ objoid: oid, classoid: 1259, objsubid: 0, description: relation.comment });
    if (relation.viewSql) out.definitions.push({ oid, definition: relation.viewSql });
    out.infoTables.push({
      table_catalog: database,
      table_schema: schema,
      table_name: relation.name,
      table_type: isTable ? (relation.temporary ? 'LOCAL TEMPORARY' : 'BASE TABLE') : 'VIEW',
      is_insertable_into: isTable ? 'YES' : 'NO',
      is_typed: 'NO',
    });
    addColumns(out, relation, oid, schema, database, oids);
    addConstraints(out, relation, oid, schema, nsp, constraints, relationOid, oids);
  }
  return out;
}

function classRow(oid: number, name: string, nsp: number, kind: string, natts: number, extra: Row): Row {
  return {
    oid,
    relname: name,
    relnamespace: nsp,
    reltype: 0,
    reloftype: 0,
    relowner: OWNER_ROLE,
    relam: 0,
    relfilenode: oid,
    reltablespace: 0,
    relpages: 0,
    reltuples: -1,
    relallvisible: 0,
    reltoastrelid: 0,
    relhasindex: false,
    relisshared: false,
    relpersistence: 'p',
    relkind: kind,
    relnatts: natts,
    relchecks: 0,
    relhasrules: false,
    relhastriggers: false,
    relhassubclass: false,
    relrowsecurity: false,
    relforcerowsecurity: false,
    relispopulated: true,
    relreplident: kind === 'r' ? 'd' : 'n',
    relispartition: false,
    relrewrite: 0,
    relfrozenxid: 0,
    relminmxid: 0,
    ...extra,
  };
}

function addColumns(out: UserObjectRows, relation: DuckDbRelation, oid: number, schema: string, database: string, oids: OidAllocator): void {
  for (const column of relation.columns) {
    const type = pgTypeOfDuckDbType(column.type);
    const row = builtinTypeByOid(type.oid);
    const collatable = row?.collation === DEFAULT_COLLATION;
    out.attributes.push({
      attrelid: oid,
      attname: column.name,
      atttypid: type.oid,
      attstattarget: -1,
      attlen: row?.len ?? -1,
      attnum: column.index,
      attndims: row?.category === 'A' ? 1 : 0,
      attcacheoff: -1,
      atttypmod: type.typmod,
      attbyval: row?.byVal ?? false,
      attalign: row?.align ?? 'i',
      attstorage: row?.storage ?? 'x',
      attcompression: '',
      attnotnull: !column.nullable,
      atthasdef: column.defaultExpr !== null,
      atthasmissing: false,
      attidentity: '',
      attgenerated: '',
      attisdropped: false,
      attislocal: true,
      attinhcount: 0,
      attcollation: collatable ? DEFAULT_COLLATION : 0,
    });
    if (column.defaultExpr !== null) {
      out.attrdefs.push({
        oid: oids.oidOf(`attrdef:${schema}.${relation.name}.${column.name}`),
        adrelid: oid,
        adnum: column.index,
        adbin: column.defaultExpr,
      });
    }
    out.infoColumns.push(infoColumnRow({
      database,
      schema,
      table: relation.name,
      column: column.name,
      position: column.index,
      typeOid: row === undefined ? 25 : type.oid,
      typmod: type.typmod,
      nullable: column.nullable,
      defaultExpr: column.defaultExpr,
      updatable: true,
    }));
  }
}

function constraintName(table: string, c: DuckDbConstraint): string {
  const columns = c.columns.join('_');
  switch (c.type) {
    case 'PRIMARY KEY':
      return `${table}_pkey`;
    case 'UNIQUE':
      return `${table}_${columns}_key`;
    case 'CHECK':
      return `${table}_${columns || 'check'}_check`.replace(/_check_check$/, '_check');
    case 'FOREIGN KEY':
      return `${table}_${columns}_fkey`;
  }
}

function addConstraints(
  out: UserObjectRows,
  relation: DuckDbRelation,
  oid: number,
  schema: string,
  nsp: number,
  constraints: readonly DuckDbConstraint[],
  relationOid: ReadonlyMap<string, number>,
  oids: OidAllocator,
): void {
  const attnum = (name: string): number => relation.columns.find((c) => c.name === name)?.index ?? 0;
  for (const c of constraints) {
    const name = constraintName(relation.name, c);
    const conOid = oids.oidOf(`constraint:${schema}.${relation.name}.${name}`);
    const keys = c.columns.map(attnum);
    const columnList = c.columns.map(quoteIdentifier).join(', ');
    const isIndex = c.type === 'PRIMARY KEY' || c.type === 'UNIQUE';
    const indexOid = isIndex ? oids.oidOf(`index:${schema}.${name}`) : 0;
    const referenced = c.referencedTable ? relationOid.get(`${c.schema}.${c.referencedTable}`) ?? 0 : 0;
    let definition: string;
    if (c.type === 'PRIMARY KEY') definition = `PRIMARY KEY (${columnList})`;
    else if (c.type === 'UNIQUE') definition = `UNIQUE (${columnList})`;
    else if (c.type === 'CHECK') definition = `CHECK ((${c.expression ?? c.text.replace(/^CHECK\s*/i, '')}))`.replace(/^CHECK \(\(\((.*)\)\)\)$/, 'CHECK (($1))');
    else definition = `FOREIGN KEY (${columnList}) REFERENCES ${quoteIdentifier(c.referencedTable ?? '')}(${c.referencedColumns.map(quoteIdentifier).join(', ')})`;
    out.constraints.push({
      oid: conOid,
      conname: name,
      connamespace: nsp,
      contype: { 'PRIMARY KEY': 'p', UNIQUE: 'u', CHECK: 'c', 'FOREIGN KEY': 'f' }[c.type],
      condeferrable: false,
      condeferred: false,
      convalidated: true,
      conrelid: oid,
      contypid: 0,
      conindid: indexOid,
      conparentid: 0,
      confrelid: referenced,
      confupdtype: c.type === 'FOREIGN KEY' ? 'a' : ' ',
      confdeltype: c.type === 'FOREIGN KEY' ? 'a' : ' ',
      confmatchtype: c.type === 'FOREIGN KEY' ? 's' : ' ',
      conislocal: true,
      coninhcount: 0,
      connoinherit: c.type === 'CHECK' ? false : true,
      conkey: keys,
      confkey: c.type === 'FOREIGN KEY' ? c.referencedColumns.map(() => 0) : null,
      conbin: c.type === 'CHECK' ? definition : null,
    });
    out.definitions.push({ oid: conOid, definition });
    if (!isIndex) continue;
    const schemaPrefix = `${quoteIdentifier(schema)}.`;
    out.classes.push(classRow(indexOid, name, nsp, 'i', keys.length, { relam: BTREE_AM, relreplident: 'n' }));
    out.indexes.push({
      indexrelid: indexOid,
      indrelid: oid,
      indnatts: keys.length,
      indnkeyatts: keys.length,
      indisunique: true,
      indnullsnotdistinct: false,
      indisprimary: c.type === 'PRIMARY KEY',
      indisexclusion: false,
      indimmediate: true,
      indisclustered: false,
      indisvalid: true,
      indcheckxmin: false,
      indisready: true,
      indislive: true,
      indisreplident: false,
      indkey: keys,
      indcollation: keys.map(() => 0),
      indclass: keys.map(() => 1978),
      indoption: keys.map(() => 0),
    });
    out.definitions.push({
      oid: indexOid,
      definition: `CREATE UNIQUE INDEX ${quoteIdentifier(name)} ON ${schemaPrefix}${quoteIdentifier(relation.name)} USING btree (${columnList})`,
    });
  }
}
