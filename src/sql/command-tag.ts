/**
 * The command tag word(s) PostgreSQL uses for a statement (CreateCommandTag in
 * src/backend/tcop/utility.c): what CommandComplete starts with, before any row count.
 */
import type { Node } from 'libpg-query';

type Fields = Record<string, unknown>;

/** Tags that depend only on the node type. */
const fixedTags: Readonly<Record<string, string>> = {
  SelectStmt: 'SELECT',
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  VariableShowStmt: 'SHOW',
  DeclareCursorStmt: 'DECLARE CURSOR',
  CopyStmt: 'COPY',
  ExplainStmt: 'EXPLAIN',
  CreateForeignServerStmt: 'CREATE SERVER',
  AlterForeignServerStmt: 'ALTER SERVER',
  CreateForeignTableStmt: 'CREATE FOREIGN TABLE',
  ImportForeignSchemaStmt: 'IMPORT FOREIGN SCHEMA',
  CreateUserMappingStmt: 'CREATE USER MAPPING',
  AlterUserMappingStmt: 'ALTER USER MAPPING',
  DropUserMappingStmt: 'DROP USER MAPPING',
  CreateFdwStmt: 'CREATE FOREIGN DATA WRAPPER',
  AlterFdwStmt: 'ALTER FOREIGN DATA WRAPPER',
  SecLabelStmt: 'SECURITY LABEL',
  CommentStmt: 'COMMENT',
  CreateSchemaStmt: 'CREATE SCHEMA',
  IndexStmt: 'CREATE INDEX',
  CreateSeqStmt: 'CREATE SEQUENCE',
  AlterSeqStmt: 'ALTER SEQUENCE',
  ViewStmt: 'CREATE VIEW',
  CreateFunctionStmt: 'CREATE FUNCTION',
  CreateRoleStmt: 'CREATE ROLE',
  AlterRoleStmt: 'ALTER ROLE',
  AlterRoleSetStmt: 'ALTER ROLE',
  DropRoleStmt: 'DROP ROLE',
  CreatedbStmt: 'CREATE DATABASE',
  AlterDatabaseStmt: 'ALTER DATABASE',
  AlterDatabaseSetStmt: 'ALTER DATABASE',
  DropdbStmt: 'DROP DATABASE',
  CreateExtensionStmt: 'CREATE EXTENSION',
  AlterExtensionStmt: 'ALTER EXTENSION',
  CreatePolicyStmt: 'CREATE POLICY',
  AlterPolicyStmt: 'ALTER POLICY',
  CreateTrigStmt: 'CREATE TRIGGER',
  CreateDomainStmt: 'CREATE DOMAIN',
  CreateEnumStmt: 'CREATE TYPE',
  CompositeTypeStmt: 'CREATE TYPE',
  CreateRangeStmt: 'CREATE TYPE',
  TruncateStmt: 'TRUNCATE TABLE',
  ListenStmt: 'LISTEN',
  UnlistenStmt: 'UNLISTEN',
  NotifyStmt: 'NOTIFY',
  LoadStmt: 'LOAD',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  LockStmt: 'LOCK TABLE',
  VacuumStmt: 'VACUUM',
  CheckPointStmt: 'CHECKPOINT',
  ClusterStmt: 'CLUSTER',
  ReindexStmt: 'REINDEX',
  GrantRoleStmt: 'GRANT ROLE',
  AlterDefaultPrivilegesStmt: 'ALTER DEFAULT PRIVILEGES',
  AlterOwnerStmt: 'ALTER',
  RenameStmt: 'ALTER',
  ConstraintsSetStmt: 'SET CONSTRAINTS',
  CreateTableAsStmt: 'SELECT',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  CreateStatsStmt: 'CREATE STATISTICS',
  CreatePublicationStmt: 'CREATE PUBLICATION',
  CreateSubscriptionStmt: 'CREATE SUBSCRIPTION',
};

/** The CREATE/DROP/ALTER object word(s) per ObjectType, for DropStmt and AlterTableStmt. */
const objectWords: Readonly<Record<string, string>> = {
  OBJECT_TABLE: 'TABLE',
  OBJECT_FOREIGN_TABLE: 'FOREIGN TABLE',
  OBJECT_VIEW: 'VIEW',
  OBJECT_MATVIEW: 'MATERIALIZED VIEW',
  OBJECT_INDEX: 'INDEX',
  OBJECT_SEQUENCE: 'SEQUENCE',
  OBJECT_SCHEMA: 'SCHEMA',
  OBJECT_FOREIGN_SERVER: 'SERVER',
  OBJECT_FDW: 'FOREIGN DATA WRAPPER',
  OBJECT_FUNCTION: 'FUNCTION',
  OBJECT_PROCEDURE: 'PROCEDURE',
  OBJECT_ROUTINE: 'ROUTINE',
  OBJECT_AGGREGATE: 'AGGREGATE',
  OBJECT_TYPE: 'TYPE',
  OBJECT_DOMAIN: 'DOMAIN',
  OBJECT_EXTENSION: 'EXTENSION',
  OBJECT_TRIGGER: 'TRIGGER',
  OBJECT_POLICY: 'POLICY',
  OBJECT_RULE: 'RULE',
  OBJECT_ROLE: 'ROLE',
  OBJECT_DATABASE: 'DATABASE',
  OBJECT_COLLATION: 'COLLATION',
  OBJECT_STATISTIC_EXT: 'STATISTICS',
  OBJECT_PUBLICATION: 'PUBLICATION',
  OBJECT_SUBSCRIPTION: 'SUBSCRIPTION',
};

const transactionTags: Readonly<Record<string, string>> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  // PostgreSQL answers START TRANSACTION with the tag of BEGIN.
  TRANS_STMT_START: 'BEGIN',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

const discardTags: Readonly<Record<string, string>> = {
  DISCARD_ALL: 'DISCARD ALL',
  DISCARD_PLANS: 'DISCARD PLANS',
  DISCARD_SEQUENCES: 'DISCARD SEQUENCES',
  DISCARD_TEMP: 'DISCARD TEMP',
};

/** The command tag for a parsed statement node such as `{ SelectStmt: {…} }`. */
export function commandOf(node: Node): string {
  const [type, value] = Object.entries(node)[0] ?? ['', {}];
  const fields = (value ?? {}) as Fields;
  const fixed = fixedTags[type];
  if (fixed !== undefined) return fixed;
  switch (type) {
    case 'VariableSetStmt': {
      const kind = fields['kind'];
      return kind === 'VAR_RESET' || kind === 'VAR_RESET_ALL' ? 'RESET' : 'SET';
    }
    case 'TransactionStmt':
      return transactionTags[String(fields['kind'])] ?? 'BEGIN';
    case 'FetchStmt':
      return fields['ismove'] ? 'MOVE' : 'FETCH';
    case 'ClosePortalStmt':
      return fields['portalname'] === undefined ? 'CLOSE CURSOR ALL' : 'CLOSE CURSOR';
    case 'DeallocateStmt':
      return fields['isall'] || fields['name'] === undefined ? 'DEALLOCATE ALL' : 'DEALLOCATE';
    case 'DiscardStmt':
      return discardTags[String(fields['target'])] ?? 'DISCARD';
    case 'CreateStmt':
      return 'CREATE TABLE';
    case 'DropStmt':
      return `DROP ${objectWords[String(fields['removeType'])] ?? 'OBJECT'}`;
    case 'AlterTableStmt':
      return `ALTER ${objectWords[String(fields['objtype'])] ?? 'TABLE'}`;
    case 'AlterObjectSchemaStmt':
      return `ALTER ${objectWords[String(fields['objectType'])] ?? 'OBJECT'}`;
    case 'DefineStmt':
      return `CREATE ${objectWords[String(fields['kind'])] ?? 'OBJECT'}`;
    case 'GrantStmt':
      return fields['is_grant'] ? 'GRANT' : 'REVOKE';
    case 'ExplainStmt':
      return 'EXPLAIN';
    default:
      return genericTag(type);
  }
}

/** `AlterFooBarStmt` → `ALTER FOO BAR`: a readable tag for statements listed nowhere above. */
function genericTag(type: string): string {
  return type
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}
