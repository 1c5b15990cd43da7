/**
 * DuckDB macros answering PostgreSQL's catalog and session functions (the names of
 * emulation.ts' emulatedFunctions). Session values (database, user, version) are fixed
 * when the catalog is installed.
 */
import { sqlLiteral } from './sql-literal.js';

export interface SessionConstants {
  database: string;
  user: string;
  versionString: string;
  backendPid: number;
  startTime: string;
}

/** CREATE MACRO statements, with `S.` standing for the emulation schema. */
export function macroDefinitions(c: SessionConstants): string[] {
  const privilegeOverloads = '(a, b) AS true, (a, b, c) AS true';
  const definitions = [
    `version() AS ${sqlLiteral(c.versionString)}`,
    `current_database() AS ${sqlLiteral(c.database)}`,
    `current_user() AS ${sqlLiteral(c.user)}`,
    `session_user() AS ${sqlLiteral(c.user)}`,
    `current_role() AS ${sqlLiteral(c.user)}`,
    `current_schema() AS 'public'`,
    `current_schemas(implicit) AS CASE WHEN implicit THEN ['pg_catalog', 'public'] ELSE ['public'] END`,
    `pg_backend_pid() AS ${c.backendPid}`,
    `pg_postmaster_start_time() AS TIMESTAMPTZ ${sqlLiteral(c.startTime)}`,
    `pg_is_in_recovery() AS false`,
    `txid_current() AS 1::BIGINT`,
    `pg_client_encoding() AS 'UTF8'`,
    `inet_server_addr() AS NULL::VARCHAR`,
    `inet_server_port() AS NULL::INTEGER`,
    `pg_encoding_to_char(e) AS CASE e WHEN 6 THEN 'UTF8' WHEN 0 THEN 'SQL_ASCII' ELSE '' END`,
    `quote_ident(s) AS CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_$]*') THEN s ELSE '"' || replace(s, '"', '""') || '"' END`,
    `quote_literal(s) AS '''' || replace(CAST(s AS VARCHAR), '''', '''''') || ''''`,
    `array_upper(a, d) AS CASE WHEN len(a) = 0 THEN NULL ELSE len(a) END`,
    `array_lower(a, d) AS CASE WHEN len(a) = 0 THEN NULL ELSE 1 END`,
    `format_type(t, m) AS (SELECT CASE
        WHEN m IS NULL OR m < 0 THEN ty.display
        WHEN ty.typname = 'numeric' THEN 'numeric(' || (((m - 4) >> 16) & 65535) || ',' || ((m - 4) & 65535) || ')'
        WHEN ty.typname IN ('varchar', 'bpchar') THEN ty.display || '(' || (m - 4) || ')'
        WHEN ty.typname IN ('timestamp', 'timestamptz', 'time', 'timetz') THEN
          replace(ty.display, split_part(ty.display, ' ', 1), split_part(ty.display, ' ', 1) || '(' || m || ')')
        ELSE ty.display END
      FROM S.c2d_types ty WHERE ty.oid = t)`,
    `pg_get_userbyid(r) AS coalesce((SELECT rolname FROM S.pg_roles WHERE oid = r), 'unknown (OID=' || r || ')')`,
    `pg_table_is_visible(r) AS coalesce((SELECT relnamespace IN (11, 2200) FROM S.pg_class WHERE oid = r), false)`,
    `pg_type_is_visible(t) AS coalesce((SELECT typnamespace IN (11, 2200) FROM S.pg_type WHERE oid = t), false)`,
    `pg_function_is_visible(f) AS true`,
    `pg_get_expr(e, r) AS e, (e, r, p) AS e`,
    `obj_description(o) AS NULL::VARCHAR, (o, k) AS (SELECT description FROM S.pg_description
        WHERE objoid = o AND objsubid = 0 AND classoid = S.c2d_regclass_oid(k) LIMIT 1)`,
    `col_description(r, n) AS (SELECT description FROM S.pg_description
        WHERE objoid = r AND objsubid = n AND classoid = 1259 LIMIT 1)`,
    `shobj_description(o, k) AS (SELECT description FROM S.pg_shdescription
        WHERE objoid = o AND classoid = S.c2d_regclass_oid(k) LIMIT 1)`,
    `pg_get_indexdef(i) AS (SELECT definition FROM S.c2d_definitions WHERE oid = i),
      (i, c, p) AS (SELECT definition FROM S.c2d_definitions WHERE oid = i)`,
    `pg_get_constraintdef(o) AS (SELECT definition FROM S.c2d_definitions WHERE oid = o),
      (o, p) AS (SELECT definition FROM S.c2d_definitions WHERE oid = o)`,
    `pg_get_viewdef(v) AS (SELECT definition FROM S.c2d_definitions WHERE oid = v),
      (v, p) AS (SELECT definition FROM S.c2d_definitions WHERE oid = v)`,
    `pg_get_partkeydef(r) AS NULL::VARCHAR`,
    `pg_get_statisticsobjdef_columns(o) AS NULL::VARCHAR`,
    `pg_get_function_arguments(f) AS ''`,
    `pg_get_function_result(f) AS ''`,
    `pg_relation_is_publishable(r) AS coalesce((SELECT relkind IN ('r', 'p') AND relnamespace <> 11 FROM S.pg_class WHERE oid = r), false)`,
    `pg_table_size(r) AS 0::BIGINT`,
    `pg_relation_size(r) AS 0::BIGINT, (r, f) AS 0::BIGINT`,
    `pg_total_relation_size(r) AS 0::BIGINT`,
    `pg_size_pretty(b) AS CASE
        WHEN abs(b) < 10240 THEN b || ' bytes'
        WHEN abs(b) < 10485760 THEN round(b / 1024) || ' kB'
        WHEN abs(b) < 10737418240 THEN round(b / 1048576) || ' MB'
        WHEN abs(b) < 10995116277760 THEN round(b / 1073741824) || ' GB'
        ELSE round(b / 1099511627776) || ' TB' END`,
    `has_table_privilege${privilegeOverloads}`,
    `has_schema_privilege${privilegeOverloads}`,
    `has_database_privilege${privilegeOverloads}`,
    `has_column_privilege(a, b, c) AS true, (a, b, c, d) AS true`,
    `has_type_privilege${privilegeOverloads}`,
    `has_function_privilege${privilegeOverloads}`,
    `has_server_privilege${privilegeOverloads}`,
    `has_foreign_data_wrapper_privilege${privilegeOverloads}`,
    `pg_has_role${privilegeOverloads}`,
    `_pg_expandarray(a) AS unnest(list_transform(range(1, len(a) + 1), i -> {'x': a[i], 'n': CAST(i AS INTEGER)}))`,
    `pg_partition_ancestors(r) AS unnest(list_prepend(CAST(r AS INTEGER),
        coalesce((SELECT list(inhparent) FROM S.pg_inherits WHERE inhrelid = CAST(r AS INTEGER)), [])))`,
    `c2d_regclass_oid(n) AS (SELECT c.oid FROM S.pg_class c JOIN S.pg_namespace ns ON ns.oid = c.relnamespace
        WHERE CASE WHEN contains(n, '.')
          THEN ns.nspname = replace(split_part(n, '.', 1), '"', '') AND c.relname = replace(split_part(n, '.', 2), '"', '')
          ELSE c.relname = replace(n, '"', '') AND ns.nspname IN ('pg_catalog', 'public') END
        ORDER BY ns.oid LIMIT 1)`,
    `c2d_regclass_name(r) AS coalesce((SELECT CASE WHEN ns.nspname IN ('pg_catalog', 'public') THEN S.quote_ident(c.relname)
        ELSE S.quote_ident(ns.nspname) || '.' || S.quote_ident(c.relname) END
        FROM S.pg_class c JOIN S.pg_namespace ns ON ns.oid = c.relnamespace WHERE c.oid = r), CAST(r AS VARCHAR))`,
    `c2d_regtype_oid(n) AS (SELECT oid FROM S.c2d_types
        WHERE typname = lower(replace(n, 'pg_catalog.', '')) OR display = lower(replace(n, 'pg_catalog.', '')) ORDER BY oid LIMIT 1)`,
    `c2d_regnamespace_oid(n) AS (SELECT oid FROM S.pg_namespace WHERE nspname = replace(n, '"', ''))`,
    `c2d_regnamespace_name(o) AS coalesce((SELECT nspname FROM S.pg_namespace WHERE oid = o), CAST(o AS VARCHAR))`,
    `c2d_regrole_oid(n) AS (SELECT oid FROM S.pg_roles WHERE rolname = replace(n, '"', ''))`,
    `c2d_regrole_name(o) AS coalesce((SELECT rolname FROM S.pg_roles WHERE oid = o), CAST(o AS VARCHAR))`,
  ];
  return definitions.map((d) => `CREATE OR REPLACE MACRO S.${d}`);
}

/** Table macros for set-returning functions that clients call in FROM. */
export function tableMacroDefinitions(): string[] {
  return [
    `CREATE OR REPLACE MACRO S.pg_partition_ancestors(r) AS TABLE
       SELECT CAST(r AS INTEGER) AS relid
       UNION ALL SELECT inhparent FROM S.pg_inherits WHERE inhrelid = CAST(r AS INTEGER)`,
    `CREATE OR REPLACE MACRO S.pg_get_keywords() AS TABLE
       SELECT NULL::VARCHAR AS word, NULL::VARCHAR AS catcode, NULL::BOOLEAN AS barelabel,
              NULL::VARCHAR AS catdesc, NULL::VARCHAR AS baredesc WHERE false`,
  ];
}
