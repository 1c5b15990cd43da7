/**
 * Where the pg_catalog / information_schema emulation lives in the DuckDB instance, and
 * which PostgreSQL functions it provides. The rewrite sends catalog references here;
 * src/pgcatalog installs exactly these objects (a test checks that they agree).
 */

/** An attached in-memory DuckDB database, so emulation objects never mix with user tables. */
export const emulationCatalog = 'c2d_pgcatalog';
/** Schema for pg_catalog relations and functions. */
export const pgCatalogSchema = 'main';
/** Schema for information_schema views (DuckDB reserves the name information_schema). */
export const informationSchemaSchema = 'infoschema';

/**
 * PostgreSQL functions answered by macros in the emulation schema. Calls to them,
 * qualified with pg_catalog or not, are sent there; other pg_catalog.f calls lose the
 * qualifier and reach DuckDB's function of the same name.
 */
export const emulatedFunctions: ReadonlySet<string> = new Set([
  'format_type',
  'pg_get_userbyid',
  'pg_table_is_visible',
  'pg_type_is_visible',
  'pg_function_is_visible',
  'pg_get_expr',
  'obj_description',
  'col_description',
  'shobj_description',
  'pg_get_indexdef',
  'pg_get_constraintdef',
  'pg_get_partkeydef',
  'pg_get_partition_constraintdef',
  'pg_tablespace_location',
  'btrim',
  'pg_get_serial_sequence',
  'pg_get_statisticsobjdef_columns',
  'pg_get_function_arguments',
  'pg_get_function_result',
  'pg_get_viewdef',
  'pg_relation_is_publishable',
  'pg_table_size',
  'pg_total_relation_size',
  'pg_relation_size',
  'pg_size_pretty',
  'current_schema',
  'current_schemas',
  'current_database',
  'current_user',
  'session_user',
  'current_role',
  'version',
  'pg_backend_pid',
  'pg_encoding_to_char',
  'pg_is_in_recovery',
  'pg_postmaster_start_time',
  'quote_ident',
  'quote_literal',
  'array_upper',
  'array_lower',
  'has_table_privilege',
  'has_schema_privilege',
  'has_database_privilege',
  'has_column_privilege',
  'has_type_privilege',
  'has_function_privilege',
  'has_server_privilege',
  'has_foreign_data_wrapper_privilege',
  'pg_has_role',
  'pg_partition_ancestors',
  'pg_get_keywords',
  'txid_current',
  'pg_client_encoding',
  'inet_server_addr',
  'inet_server_port',
  '_pg_expandarray',
  // Helpers for regclass/regtype/regnamespace/regrole casts (see casts.ts).
  'c2d_regclass_oid',
  'c2d_regclass_name',
  'c2d_regtype_oid',
  'c2d_regnamespace_oid',
  'c2d_regnamespace_name',
  'c2d_regrole_oid',
  'c2d_regrole_name',
  'c2d_regproc_oid',
]);

/** Set-returning functions that appear in FROM; installed as table macros of these names. */
export const emulatedTableFunctions: ReadonlySet<string> = new Set(['pg_partition_ancestors', 'pg_get_keywords']);

/**
 * Relations installed in the emulation: an unqualified reference to one of these means
 * pg_catalog's, as PostgreSQL's search path puts pg_catalog first.
 */
export const emulatedRelations: ReadonlySet<string> = new Set([
  'pg_namespace',
  'pg_class',
  'pg_attribute',
  'pg_type',
  'pg_database',
  'pg_roles',
  'pg_user',
  'pg_authid',
  'pg_auth_members',
  'pg_settings',
  'pg_description',
  'pg_shdescription',
  'pg_constraint',
  'pg_index',
  'pg_inherits',
  'pg_am',
  'pg_proc',
  'pg_attrdef',
  'pg_collation',
  'pg_extension',
  'pg_tablespace',
  'pg_foreign_server',
  'pg_foreign_table',
  'pg_foreign_data_wrapper',
  'pg_user_mappings',
  'pg_user_mapping',
  'pg_partitioned_table',
  'pg_policy',
  'pg_statistic_ext',
  'pg_trigger',
  'pg_rewrite',
  'pg_publication',
  'pg_publication_rel',
  'pg_publication_namespace',
  'pg_matviews',
  'pg_views',
  'pg_tables',
  'pg_indexes',
  'pg_sequence',
  'pg_enum',
  'pg_range',
  'pg_language',
  'pg_operator',
  'pg_cast',
  'pg_depend',
  'pg_seclabel',
  'pg_seclabels',
  'pg_event_trigger',
  'pg_opclass',
  'pg_stat_activity',
  'pg_stat_user_tables',
  'pg_stat_all_tables',
]);

export const emulatedInformationSchema: ReadonlySet<string> = new Set([
  'tables',
  'columns',
  'schemata',
  'views',
  'table_constraints',
  'key_column_usage',
  'foreign_tables',
  'foreign_table_options',
  'foreign_servers',
  'foreign_server_options',
  'foreign_data_wrappers',
  'user_mappings',
]);
