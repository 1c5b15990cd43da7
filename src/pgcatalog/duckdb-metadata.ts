/**
 * What the emulation reads from DuckDB's own catalog: the schemas, tables, views, columns
 * and constraints of the instance's default database.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export interface DuckDbColumn {
  name: string;
  /** 1-based position. */
  index: number;
  type: string;
  nullable: boolean;
  defaultExpr: string | null;
}

export interface DuckDbRelation {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  temporary: boolean;
  comment: string | null;
  viewSql: string | null;
  columns: DuckDbColumn[];
}

export interface DuckDbConstraint {
  schema: string;
  table: string;
  type: 'PRIMARY KEY' | 'UNIQUE' | 'CHECK' | 'FOREIGN KEY';
  text: string;
  expression: string | null;
  columns: string[];
  referencedTable: string | null;
  referencedColumns: string[];
}

export interface DuckDbMetadata {
  schemas: string[];
  relations: DuckDbRelation[];
  constraints: DuckDbConstraint[];
}

type Json = Record<string, unknown>;

async function rows(connection: DuckDBConnection, sql: string): Promise<Json[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Json[];
}

/** Schemas and objects of the default database, user objects only. */
export async function readDuckDbMetadata(connection: DuckDBConnection): Promise<DuckDbMetadata> {
  const where = `database_name = current_database() AND NOT internal`;
  const schemaRows = await rows(
    connection,
    `SELECT DISTINCT schema_name FROM duckdb_schemas() WHERE database_name = current_database()
       AND schema_name NOT IN ('pg_catalog', 'information_schema') ORDER BY schema_name`,
  );
  const tableRows = await rows(
    connection,
    `SELECT schema_name, table_name AS name, 'table' AS kind, temporary, comment, NULL AS sql
       FROM duckdb_tables() WHERE database_name = current_database()
     UNION ALL
     SELECT schema_name, view_name, 'view', temporary, comment, sql
       FROM duckdb_views() WHERE ${where}
     ORDER BY 1, 2`,
  );
  const columnRows = await rows(
    connection,
    `SELECT schema_name, table_name, column_name, column_index, data_type, is_nullable, column_default
       FROM duckdb_columns() WHERE database_name = current_database() AND NOT internal
       ORDER BY schema_name, table_name, column_index`,
  );
  const constraintRows = await rows(
    connection,
    `SELECT schema_name, table_name, constraint_type, constraint_text, expression,
            constraint_column_names, referenced_table, referenced_column_names
       FROM duckdb_constraints() WHERE database_name = current_database()
        AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'CHECK', 'FOREIGN KEY')
       ORDER BY schema_name, table_name, constraint_index`,
  );
  const relations = new Map<string, DuckDbRelation>();
  for (const r of tableRows) {
    const relation: DuckDbRelation = {
      schema: String(r['schema_name']),
      name: String(r['name']),
      kind: r['kind'] === 'view' ? 'view' : 'table',
      temporary: r['temporary'] === true,
      comment: (r['comment'] as string | null) ?? null,
      viewSql: (r['sql'] as string | null) ?? null,
      columns: [],
    };
    relations.set(`${relation.schema}.${relation.name}`, relation);
  }
  for (const c of columnRows) {
    const relation = relations.get(`${String(c['schema_name'])}.${String(c['table_name'])}`);
    relation?.columns.push({
      name: String(c['column_name']),
      index: Number(c['column_index']),
      type: String(c['data_type']),
      nullable: c['is_nullable'] !== false,
      defaultExpr: (c['column_default'] as string | null) ?? null,
    });
  }
  return {
    schemas: schemaRows.map((s) => String(s['schema_name'])),
    relations: [...relations.values()],
    constraints: constraintRows.map((c) => ({
      schema: String(c['schema_name']),
      table: String(c['table_name']),
      type: c['constraint_type'] as DuckDbConstraint['type'],
      text: String(c['constraint_text'] ?? ''),
      expression: (c['expression'] as string | null) ?? null,
      columns: ((c['constraint_column_names'] as string[] | null) ?? []).map(String),
      referencedTable: (c['referenced_table'] as string | null) ?? null,
      referencedColumns: ((c['referenced_column_names'] as string[] | null) ?? []).map(String),
    })),
  };
}
