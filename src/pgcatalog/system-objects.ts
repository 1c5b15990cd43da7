/**
 * Fixed catalog rows: the system namespaces, access methods, collations, tablespaces,
 * and PostgreSQL's own OIDs for its catalog relations, so that `'pg_class'::regclass`
 * and obj_description(oid, 'pg_class') find the OIDs clients expect.
 */
import type { Row } from './rows.js';

export const PG_CATALOG_NAMESPACE = 11;
export const PG_TOAST_NAMESPACE = 99;
export const PUBLIC_NAMESPACE = 2200;
export const INFORMATION_SCHEMA_NAMESPACE = 13207;
/** The bootstrap superuser's OID; the gateway's user owns everything. */
export const OWNER_ROLE = 10;
/** The gateway's one database: the OID PostgreSQL's initdb gives `postgres`, below any catalog OID. */
export const DATABASE_OID = 5;
/**
 * First OID for objects of the gateway's own DuckDB (work tables, a local engine's tables).
 * The federation catalog allocates from 16384 upward (FIRST_CATALOG_OID), so local objects
 * take a range it never reaches and the two never share an OID.
 */
export const FIRST_LOCAL_OID = 1_000_000_000;
export const HEAP_AM = 2;
export const BTREE_AM = 403;
export const DEFAULT_COLLATION = 100;

export const systemNamespaces: readonly Row[] = [
  { oid: PG_CATALOG_NAMESPACE, nspname: 'pg_catalog', nspowner: OWNER_ROLE },
  { oid: PG_TOAST_NAMESPACE, nspname: 'pg_toast', nspowner: OWNER_ROLE },
  { oid: INFORMATION_SCHEMA_NAMESPACE, nspname: 'information_schema', nspowner: OWNER_ROLE },
];

export const accessMethods: readonly Row[] = [
  { oid: HEAP_AM, amname: 'heap', amhandler: 'heap_tableam_handler', amtype: 't' },
  { oid: BTREE_AM, amname: 'btree', amhandler: 'bthandler', amtype: 'i' },
  { oid: 405, amname: 'hash', amhandler: 'hashhandler', amtype: 'i' },
  { oid: 783, amname: 'gist', amhandler: 'gisthandler', amtype: 'i' },
  { oid: 2742, amname: 'gin', amhandler: 'ginhandler', amtype: 'i' },
  { oid: 4000, amname: 'spgist', amhandler: 'spghandler', amtype: 'i' },
  { oid: 3580, amname: 'brin', amhandler: 'brinhandler', amtype: 'i' },
];

export const collations: readonly Row[] = [
  { oid: DEFAULT_COLLATION, collname: 'default', collnamespace: PG_CATALOG_NAMESPACE, collowner: OWNER_ROLE, collprovider: 'd', collisdeterministic: true, collencoding: -1 },
  { oid: 950, collname: 'C', collnamespace: PG_CATALOG_NAMESPACE, collowner: OWNER_ROLE, collprovider: 'c', collisdeterministic: true, collencoding: -1, collcollate: 'C', collctype: 'C' },
  { oid: 951, collname: 'POSIX', collnamespace: PG_CATALOG_NAMESPACE, collowner: OWNER_ROLE, collprovider: 'c', collisdeterministic: true, collencoding: -1, collcollate: 'POSIX', collctype: 'POSIX' },
];

export const tablespaces: readonly Row[] = [
  { oid: 1663, spcname: 'pg_default', spcowner: OWNER_ROLE },
  { oid: 1664, spcname: 'pg_global', spcowner: OWNER_ROLE },
];

/** PostgreSQL 15's OIDs of the catalog relations the emulation provides. */
export const systemRelations: readonly (readonly [string, number, 'r' | 'v'])[] = [
  ['pg_tablespace', 1213, 'r'], ['pg_type', 1247, 'r'], ['pg_attribute', 1249, 'r'], ['pg_proc', 1255, 'r'],
  ['pg_class', 1259, 'r'], ['pg_authid', 1260, 'r'], ['pg_auth_members', 1261, 'r'], ['pg_database', 1262, 'r'],
  ['pg_foreign_server', 1417, 'r'], ['pg_user_mapping', 1418, 'r'], ['pg_sequence', 2224, 'r'],
  ['pg_foreign_data_wrapper', 2328, 'r'], ['pg_shdescription', 2396, 'r'], ['pg_am', 2601, 'r'],
  ['pg_attrdef', 2604, 'r'], ['pg_cast', 2605, 'r'], ['pg_constraint', 2606, 'r'], ['pg_depend', 2608, 'r'],
  ['pg_description', 2609, 'r'], ['pg_index', 2610, 'r'], ['pg_inherits', 2611, 'r'], ['pg_language', 2612, 'r'],
  ['pg_namespace', 2615, 'r'], ['pg_opclass', 2616, 'r'], ['pg_operator', 2617, 'r'], ['pg_rewrite', 2618, 'r'],
  ['pg_trigger', 2620, 'r'], ['pg_extension', 3079, 'r'], ['pg_foreign_table', 3118, 'r'], ['pg_policy', 3256, 'r'],
  ['pg_partitioned_table', 3350, 'r'], ['pg_statistic_ext', 3381, 'r'], ['pg_collation', 3456, 'r'],
  ['pg_event_trigger', 3466, 'r'], ['pg_enum', 3501, 'r'], ['pg_range', 3541, 'r'], ['pg_seclabel', 3596, 'r'],
  ['pg_publication', 6104, 'r'], ['pg_publication_rel', 6106, 'r'], ['pg_publication_namespace', 6237, 'r'],
  ['pg_roles', 12000, 'v'], ['pg_user', 12014, 'v'], ['pg_views', 12028, 'v'], ['pg_tables', 12033, 'v'],
  ['pg_matviews', 12038, 'v'], ['pg_indexes', 12043, 'v'], ['pg_seclabels', 12099, 'v'], ['pg_settings', 12104, 'v'],
  ['pg_stat_activity', 12222, 'v'], ['pg_user_mappings', 12327, 'v'],
  ['pg_stat_all_tables', 12142, 'v'], ['pg_stat_user_tables', 12161, 'v'],
];
