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

/**
 * Views with column names no client query uses: a DuckDB macro substitutes its arguments
 * as expressions, so a subquery inside a macro must not name a column (such as `oid`)
 * that an argument like `pg_get_constraintdef(oid)` could mean in the caller's scope.
 */
export function helperViewDefinitions(): string[] {
  return [
    `CREATE OR REPLACE VIEW S.c2d_rels AS SELECT c.oid AS c2d_rel_oid, c.relname AS c2d_rel_name,
       c.relnamespace AS c2d_rel_ns, c.relkind AS c2d_rel_kind, n.nspname AS c2d_rel_nsname
       FROM S.pg_class c LEFT JOIN S.pg_namespace n ON n.oid = c.relnamespace`,
    `CREATE OR REPLACE VIEW S.c2d_namespaces AS SELECT oid AS c2d_ns_oid, nspname AS c2d_ns_name FROM S.pg_namespace`,
    `CREATE OR REPLACE VIEW S.c2d_roles AS SELECT oid AS c2d_role_oid, rolname AS c2d_role_name FROM S.pg_roles`,
    `CREATE OR REPLACE VIEW S.c2d_procs AS SELECT oid AS c2d_proc_oid, proname AS c2d_proc_name FROM S.pg_proc`,
    `CREATE OR REPLACE VIEW S.c2d_typns AS SELECT oid AS c2d_typ_oid, typnamespace AS c2d_typ_ns FROM S.pg_type`,
    `CREATE OR REPLACE VIEW S.c2d_inherits AS SELECT inhrelid AS c2d_inh_rel, inhparent AS c2d_inh_parent FROM S.pg_inherits`,
    `CREATE OR REPLACE VIEW S.c2d_descriptions AS
       SELECT objoid AS c2d_d_objoid, classoid AS c2d_d_classoid, objsubid AS c2d_d_objsubid, description AS c2d_d_text
         FROM S.pg_description
       UNION ALL SELECT objoid, classoid, 0, description FROM S.pg_shdescription`,
  ];
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
        WHEN m IS NULL OR m < 0 THEN c2d_t_display
        WHEN c2d_t_name = 'numeric' THEN 'numeric(' || (((m - 4) >> 16) & 65535) || ',' || ((m - 4) & 65535) || ')'
        WHEN c2d_t_name IN ('varchar', 'bpchar') THEN c2d_t_display || '(' || (m - 4) || ')'
        WHEN c2d_t_name IN ('timestamp', 'timestamptz', 'time', 'timetz') THEN
          replace(c2d_t_display, split_part(c2d_t_display, ' ', 1), split_part(c2d_t_display, ' ', 1) || '(' || m || ')')
        ELSE c2d_t_display END
      FROM S.c2d_types WHERE c2d_t_oid = t)`,
    `pg_get_userbyid(r) AS coalesce((SELECT c2d_role_name FROM S.c2d_roles WHERE c2d_role_oid = r), 'unknown (OID=' || r || ')')`,
    `pg_table_is_visible(r) AS coalesce((SELECT c2d_rel_ns IN (11, 2200) FROM S.c2d_rels WHERE c2d_rel_oid = r), false)`,
    `pg_type_is_visible(t) AS coalesce((SELECT c2d_typ_ns IN (11, 2200) FROM S.c2d_typns WHERE c2d_typ_oid = t), false)`,
    `pg_function_is_visible(f) AS true`,
    `pg_get_expr(e, r) AS e, (e, r, p) AS e`,
    `obj_description(o) AS NULL::VARCHAR, (o, k) AS (SELECT c2d_d_text FROM S.c2d_descriptions
        WHERE c2d_d_objoid = o AND c2d_d_objsubid = 0 AND c2d_d_classoid = S.c2d_regclass_oid(k) LIMIT 1)`,
    `col_description(r, n) AS (SELECT c2d_d_text FROM S.c2d_descriptions
        WHERE c2d_d_objoid = r AND c2d_d_objsubid = n AND c2d_d_classoid = 1259 LIMIT 1)`,
    `shobj_description(o, k) AS (SELECT c2d_d_text FROM S.c2d_descriptions
        WHERE c2d_d_objoid = o AND c2d_d_classoid = S.c2d_regclass_oid(k) LIMIT 1)`,
    // Pretty mode leaves out the schema of a table the search path finds (PRETTYFLAG_SCHEMA).
    `pg_get_indexdef(i) AS (SELECT c2d_def_text FROM S.c2d_definitions WHERE c2d_def_oid = i),
      (i, c, p) AS (SELECT CASE WHEN p THEN replace(c2d_def_text, ' ON public.', ' ON ') ELSE c2d_def_text END
        FROM S.c2d_definitions WHERE c2d_def_oid = i)`,
    `pg_get_constraintdef(o) AS (SELECT c2d_def_text FROM S.c2d_definitions WHERE c2d_def_oid = o),
      (o, p) AS (SELECT c2d_def_text FROM S.c2d_definitions WHERE c2d_def_oid = o)`,
    `pg_get_viewdef(v) AS (SELECT c2d_def_text FROM S.c2d_definitions WHERE c2d_def_oid = v),
      (v, p) AS (SELECT c2d_def_text FROM S.c2d_definitions WHERE c2d_def_oid = v)`,
    `pg_get_partkeydef(r) AS (SELECT c2d_pk_text FROM S.c2d_partkeys WHERE c2d_pk_oid = r)`,
    `pg_get_partition_constraintdef(r) AS (SELECT c2d_pc_text FROM S.c2d_partconstraints WHERE c2d_pc_oid = r)`,
    // C2D's tables have no sequences behind their columns.
    `pg_get_serial_sequence(t, c) AS NULL::VARCHAR`,
    `pg_get_statisticsobjdef_columns(o) AS NULL::VARCHAR`,
    `pg_get_function_arguments(f) AS ''`,
    `pg_get_function_result(f) AS ''`,
    `pg_relation_is_publishable(r) AS coalesce((SELECT c2d_rel_kind IN ('r', 'p') AND c2d_rel_ns <> 11 FROM S.c2d_rels WHERE c2d_rel_oid = r), false)`,
    `pg_table_size(r) AS 0::BIGINT`,
    // The gateway's relations live at the parties: no tablespace has a directory here.
    `pg_tablespace_location(t) AS ''`,
    `btrim(s) AS trim(s), (s, c) AS trim(s, c)`,
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
        coalesce((SELECT list(c2d_inh_parent) FROM S.c2d_inherits WHERE c2d_inh_rel = CAST(r AS INTEGER)), [])))`,
    `c2d_regclass_oid(n) AS (SELECT c2d_rel_oid FROM S.c2d_rels
        WHERE CASE WHEN contains(n, '.')
          THEN c2d_rel_nsname = replace(split_part(n, '.', 1), '"', '') AND c2d_rel_name = replace(split_part(n, '.', 2), '"', '')
          ELSE c2d_rel_name = replace(n, '"', '') AND c2d_rel_nsname IN ('pg_catalog', 'public') END
        ORDER BY c2d_rel_ns LIMIT 1)`,
    `c2d_regclass_name(r) AS coalesce((SELECT CASE WHEN c2d_rel_nsname IN ('pg_catalog', 'public') THEN S.quote_ident(c2d_rel_name)
        ELSE S.quote_ident(c2d_rel_nsname) || '.' || S.quote_ident(c2d_rel_name) END
        FROM S.c2d_rels WHERE c2d_rel_oid = r), CAST(r AS VARCHAR))`,
    `c2d_regtype_oid(n) AS (SELECT c2d_t_oid FROM S.c2d_types
        WHERE c2d_t_name = lower(replace(n, 'pg_catalog.', '')) OR c2d_t_display = lower(replace(n, 'pg_catalog.', ''))
        ORDER BY c2d_t_oid LIMIT 1)`,
    `c2d_regproc_oid(n) AS coalesce((SELECT c2d_proc_oid FROM S.c2d_procs WHERE c2d_proc_name = n LIMIT 1), 0)`,
    `c2d_regnamespace_oid(n) AS (SELECT c2d_ns_oid FROM S.c2d_namespaces WHERE c2d_ns_name = replace(n, '"', ''))`,
    `c2d_regnamespace_name(o) AS coalesce((SELECT c2d_ns_name FROM S.c2d_namespaces WHERE c2d_ns_oid = o), CAST(o AS VARCHAR))`,
    `c2d_regrole_oid(n) AS (SELECT c2d_role_oid FROM S.c2d_roles WHERE c2d_role_name = replace(n, '"', ''))`,
    `c2d_regrole_name(o) AS coalesce((SELECT c2d_role_name FROM S.c2d_roles WHERE c2d_role_oid = o), CAST(o AS VARCHAR))`,
  ];
  // A macro must exist before a macro that calls it: quote_ident, then the cast helpers.
  const rank = (d: string): number => (d.startsWith('quote_') ? 0 : d.startsWith('c2d_') ? 1 : 2);
  return [...definitions].sort((a, b) => rank(a) - rank(b)).map((d) => `CREATE OR REPLACE MACRO S.${d}`);
}

/** Table macros for set-returning functions that clients call in FROM. */
export function tableMacroDefinitions(): string[] {
  return [
    `CREATE OR REPLACE MACRO S.pg_partition_ancestors(r) AS TABLE
       SELECT CAST(r AS INTEGER) AS relid
       UNION ALL SELECT c2d_inh_parent FROM S.c2d_inherits WHERE c2d_inh_rel = CAST(r AS INTEGER)`,
    `CREATE OR REPLACE MACRO S.pg_get_keywords() AS TABLE
       SELECT NULL::VARCHAR AS word, NULL::VARCHAR AS catcode, NULL::BOOLEAN AS barelabel,
              NULL::VARCHAR AS catdesc, NULL::VARCHAR AS baredesc WHERE false`,
  ];
}
