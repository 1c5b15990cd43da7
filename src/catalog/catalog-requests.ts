/**
 * What each DDL statement asks of the catalog: one request type per statement, filled by
 * the binder from the parsed statement. Names arrive as PostgreSQL identifiers after case
 * folding; no SQL text is parsed here.
 */
import type { OptionList, PartitionValue } from './catalog-entries.js';

/** A relation name; an unqualified one lives in (or is looked up in) `public`. */
export interface QualifiedName {
  readonly schema?: string;
  readonly name: string;
}

export interface ColumnSpec {
  readonly name: string;
  /** A PostgreSQL type OID (pg_type.oid). */
  readonly typeOid: number;
  /** atttypmod; -1 (the default) for none. */
  readonly typmod?: number;
  readonly notNull?: boolean;
}

/** One item of `OPTIONS (ADD k 'v', SET k 'v', DROP k)`; a bare `k 'v'` is ADD. */
export type OptionChange =
  | { readonly action: 'add' | 'set'; readonly key: string; readonly value: string }
  | { readonly action: 'drop'; readonly key: string };

/** CREATE SERVER [IF NOT EXISTS] name [TYPE '…'] [VERSION '…'] FOREIGN DATA WRAPPER w [OPTIONS (…)] */
export interface CreateServerRequest {
  readonly name: string;
  readonly wrapper: string;
  /** The role running the statement. */
  readonly owner: string;
  readonly type?: string | null;
  readonly version?: string | null;
  readonly options?: OptionList;
  readonly ifNotExists?: boolean;
}

/** ALTER SERVER name [VERSION '…'] [OPTIONS (…)] | OWNER TO r | RENAME TO n */
export interface AlterServerRequest {
  readonly name: string;
  readonly version?: string | null;
  readonly options?: readonly OptionChange[];
  readonly owner?: string;
  readonly renameTo?: string;
}

/** DROP SERVER [IF EXISTS] a, b [CASCADE] */
export interface DropServersRequest {
  readonly names: readonly string[];
  readonly ifExists?: boolean;
  readonly cascade?: boolean;
}

/** The role of a user mapping: a role name, or null for PUBLIC. */
export type MappingRole = string | null;

/** CREATE USER MAPPING [IF NOT EXISTS] FOR role|PUBLIC SERVER s [OPTIONS (…)] */
export interface CreateUserMappingRequest {
  readonly role: MappingRole;
  readonly server: string;
  readonly options?: OptionList;
  readonly ifNotExists?: boolean;
}

/** ALTER USER MAPPING FOR role|PUBLIC SERVER s OPTIONS (…) */
export interface AlterUserMappingRequest {
  readonly role: MappingRole;
  readonly server: string;
  readonly options: readonly OptionChange[];
}

/** DROP USER MAPPING [IF EXISTS] FOR role|PUBLIC SERVER s */
export interface DropUserMappingRequest {
  readonly role: MappingRole;
  readonly server: string;
  readonly ifExists?: boolean;
}

/** CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION owner] */
export interface CreateSchemaRequest {
  readonly name: string;
  readonly owner: string;
  readonly ifNotExists?: boolean;
}

/** ALTER SCHEMA name RENAME TO n | OWNER TO r */
export interface AlterSchemaRequest {
  readonly name: string;
  readonly renameTo?: string;
  readonly owner?: string;
}

/** DROP SCHEMA [IF EXISTS] a, b [CASCADE] */
export interface DropSchemasRequest {
  readonly names: readonly string[];
  readonly ifExists?: boolean;
  readonly cascade?: boolean;
}

/**
 * CREATE FOREIGN TABLE [IF NOT EXISTS] t (cols) SERVER s [OPTIONS (…)], or
 * CREATE FOREIGN TABLE t PARTITION OF parent FOR VALUES IN (…) SERVER s [OPTIONS (…)].
 * A partition takes its parent's columns: leave `columns` out (if given they must match).
 */
export interface CreateForeignTableRequest {
  readonly table: QualifiedName;
  readonly owner: string;
  readonly server: string;
  readonly options?: OptionList;
  readonly columns?: readonly ColumnSpec[];
  readonly partitionOf?: { readonly parent: QualifiedName; readonly values: readonly PartitionValue[] };
  readonly ifNotExists?: boolean;
}

/** CREATE TABLE [IF NOT EXISTS] t (cols) PARTITION BY LIST (col) */
export interface CreatePartitionedTableRequest {
  readonly table: QualifiedName;
  readonly owner: string;
  readonly columns: readonly ColumnSpec[];
  /** Key columns by name; C2D federates by LIST over one column, as PostgreSQL allows for LIST. */
  readonly partitionBy: { readonly strategy: 'list' | 'range' | 'hash'; readonly columns: readonly string[] };
  readonly ifNotExists?: boolean;
}

/** One remote table of IMPORT FOREIGN SCHEMA, as the party described it (types already mapped). */
export interface ImportedTable {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  /** Defaults to (schema '<remote schema>', table '<name>'). */
  readonly options?: OptionList;
}

/**
 * IMPORT FOREIGN SCHEMA remote [LIMIT TO|EXCEPT (…)] FROM SERVER s INTO local: the caller
 * asks the party for its tables, applies LIMIT TO / EXCEPT, and passes what remains.
 */
export interface ImportForeignSchemaRequest {
  readonly server: string;
  readonly remoteSchema: string;
  readonly into: string;
  readonly owner: string;
  readonly tables: readonly ImportedTable[];
}

/** The subcommands of ALTER TABLE / ALTER FOREIGN TABLE the catalog carries out. */
export type AlterRelationAction =
  | { readonly action: 'addColumn'; readonly column: ColumnSpec; readonly ifNotExists?: boolean }
  | { readonly action: 'dropColumn'; readonly column: string; readonly ifExists?: boolean }
  | { readonly action: 'renameColumn'; readonly column: string; readonly to: string }
  | { readonly action: 'alterColumnType'; readonly column: string; readonly typeOid: number; readonly typmod?: number }
  | { readonly action: 'setNotNull' | 'dropNotNull'; readonly column: string }
  | { readonly action: 'options'; readonly changes: readonly OptionChange[] }
  | { readonly action: 'rename'; readonly to: string }
  | { readonly action: 'setSchema'; readonly schema: string }
  | { readonly action: 'owner'; readonly role: string }
  | { readonly action: 'attachPartition'; readonly partition: QualifiedName; readonly values: readonly PartitionValue[] }
  | { readonly action: 'detachPartition'; readonly partition: QualifiedName };

/** Which statement named the relation: PostgreSQL's messages and checks differ. */
export type RelationStatement = 'table' | 'foreign table';

/** ALTER [FOREIGN] TABLE [IF EXISTS] t action, action … */
export interface AlterRelationRequest {
  readonly relation: QualifiedName;
  readonly statement: RelationStatement;
  readonly actions: readonly AlterRelationAction[];
  readonly ifExists?: boolean;
}

/** DROP [FOREIGN] TABLE [IF EXISTS] a, b [CASCADE] */
export interface DropRelationsRequest {
  readonly relations: readonly QualifiedName[];
  readonly statement: RelationStatement;
  readonly ifExists?: boolean;
  readonly cascade?: boolean;
}

/** SECURITY LABEL [FOR provider] ON COLUMN t.c | ON [FOREIGN] TABLE t IS 'label' | NULL */
export interface SecurityLabelRequest {
  /** Defaults to c2d, the only provider. */
  readonly provider?: string;
  readonly relation: QualifiedName;
  /** Absent for a label on the relation itself. */
  readonly column?: string;
  /** null removes the label. */
  readonly label: string | null;
}

/**
 * CREATE ROLE / CREATE USER name [LOGIN] [SUPERUSER] [PASSWORD '…' | PASSWORD NULL].
 * A password that is already a SCRAM-SHA-256 verifier is stored as is (as PostgreSQL
 * does); any other is turned into one. Plain passwords are never stored.
 */
export interface CreateRoleRequest {
  readonly name: string;
  readonly password?: string | null;
  /** CREATE ROLE defaults to NOLOGIN, CREATE USER to LOGIN: the binder decides. */
  readonly canLogin?: boolean;
  readonly superuser?: boolean;
}

/** ALTER ROLE name [WITH] [PASSWORD …] [LOGIN|NOLOGIN] [SUPERUSER|NOSUPERUSER] | RENAME TO n */
export interface AlterRoleRequest {
  readonly name: string;
  readonly password?: string | null;
  readonly canLogin?: boolean;
  readonly superuser?: boolean;
  readonly renameTo?: string;
}

/** DROP ROLE [IF EXISTS] a, b */
export interface DropRolesRequest {
  readonly names: readonly string[];
  readonly ifExists?: boolean;
  /** The role running the statement: it cannot drop itself. */
  readonly currentUser?: string;
}

/** One audited statement. */
export interface LedgerAppend {
  readonly user: string;
  readonly statement: string;
  readonly parties: readonly string[];
  readonly resultRows: number | null;
  /** Must be JSON-serialisable. */
  readonly revealed: unknown;
  /** Defaults to now. */
  readonly at?: Date;
}

export interface LedgerQuery {
  readonly user?: string;
  /** Entries involving this party. */
  readonly party?: string;
  /** Inclusive. */
  readonly since?: Date;
  /** Exclusive. */
  readonly until?: Date;
  /** Entries with a greater id (ascending) or a smaller id (descending): for paging. */
  readonly afterId?: number;
  /** Default 100, at most 10,000. */
  readonly limit?: number;
  /** Default ascending by id. */
  readonly order?: 'asc' | 'desc';
}
