/**
 * Binds the DDL that changes or fills in what is registered: ALTER SERVER, ALTER [FOREIGN]
 * TABLE (options, columns, partitions), RENAME, IMPORT FOREIGN SCHEMA, CREATE/DROP SCHEMA,
 * ALTER/DROP USER MAPPING. Each becomes one catalog request (one transaction).
 */
import type { AlterRelationAction, OptionChange, QualifiedName } from '../../catalog/catalog-requests.js';
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';
import type { BoundDdl, DdlContext } from './bind-ddl.js';
import { columnSpec, partitionValue, qualified, roleOf } from './ddl-nodes.js';
import { importedTables } from './party-tables.js';

type Node = Record<string, any>;

export function bindAlterServer(body: Node): BoundDdl {
  return {
    commandTag: 'ALTER SERVER',
    apply: (s) =>
      s.alterServer({
        name: String(body.servername),
        ...(body.has_version ? { version: body.version ?? null } : {}),
        ...(body.options ? { options: optionChanges(body.options) } : {}),
      }),
  };
}

export function bindAlterUserMapping(body: Node, context: DdlContext): BoundDdl {
  return {
    commandTag: 'ALTER USER MAPPING',
    apply: (s) => s.alterUserMapping({ role: roleOf(body.user, context.user), server: String(body.servername), options: optionChanges(body.options) }),
  };
}

export function bindDropUserMapping(body: Node, context: DdlContext): BoundDdl {
  return {
    commandTag: 'DROP USER MAPPING',
    apply: (s) => s.dropUserMapping({ role: roleOf(body.user, context.user), server: String(body.servername), ifExists: Boolean(body.missing_ok) }),
  };
}

export function bindCreateSchema(body: Node, context: DdlContext): BoundDdl {
  if (body.schemaElts?.length) throw new PgError(SqlState.featureNotSupported, 'CREATE SCHEMA with elements is not supported by C2D');
  const owner = body.authrole ? roleOf(body.authrole, context.user) : context.user;
  return {
    commandTag: 'CREATE SCHEMA',
    apply: (s) =>
      s.createSchema({ name: String(body.schemaname ?? owner), owner: owner ?? context.user, ifNotExists: Boolean(body.if_not_exists) }),
  };
}

export function bindImportForeignSchema(body: Node, context: DdlContext): BoundDdl {
  const server = String(body.server_name);
  const listed = ((body.table_list ?? []) as Node[]).map((t) => String(t['RangeVar']?.relname));
  return {
    commandTag: 'IMPORT FOREIGN SCHEMA',
    apply: async (s) => {
      if (!context.parties) throw new PgError(SqlState.featureNotSupported, 'IMPORT FOREIGN SCHEMA needs a gateway that reaches its parties');
      // The catalog reports an unknown server or schema before the party is asked.
      const snapshot = await s.snapshot();
      if (!snapshot.server(server)) throw new PgError(SqlState.undefinedObject, `server "${server}" does not exist`);
      if (!snapshot.schema(String(body.local_schema))) throw new PgError(SqlState.invalidSchemaName, `schema "${body.local_schema}" does not exist`);
      const tables = importedTables(await context.parties.describe(server), String(body.list_type), listed);
      return s.importForeignSchema({
        server,
        remoteSchema: String(body.remote_schema),
        into: String(body.local_schema),
        owner: context.user,
        tables: tables.map((t) => ({
          name: t.name,
          columns: t.columns.map((c) => ({ name: c.name, typeOid: c.typeOid, typmod: c.typmod, notNull: !c.nullable })),
          options: [['table', t.name]],
        })),
      });
    },
  };
}

export function bindAlterTable(body: Node, context: DdlContext): BoundDdl {
  const foreign = body.objtype === 'OBJECT_FOREIGN_TABLE';
  if (body.objtype !== 'OBJECT_TABLE' && !foreign) {
    throw new PgError(SqlState.featureNotSupported, `ALTER ${String(body.objtype).replace('OBJECT_', '')} is not supported by C2D`);
  }
  const actions = ((body.cmds ?? []) as Node[]).map((c) => alterAction(c['AlterTableCmd'] as Node, context));
  return {
    commandTag: foreign ? 'ALTER FOREIGN TABLE' : 'ALTER TABLE',
    apply: (s) =>
      s.alterRelation({ relation: qualified(body.relation), statement: foreign ? 'foreign table' : 'table', actions, ifExists: Boolean(body.missing_ok) }),
  };
}

function alterAction(cmd: Node, context: DdlContext): AlterRelationAction {
  switch (cmd.subtype) {
    case 'AT_AddColumn':
      return { action: 'addColumn', column: columnSpec(cmd.def['ColumnDef']), ifNotExists: Boolean(cmd.missing_ok) };
    case 'AT_DropColumn':
      return { action: 'dropColumn', column: String(cmd.name), ifExists: Boolean(cmd.missing_ok) };
    case 'AT_AlterColumnType': {
      const spec = columnSpec({ ...cmd.def['ColumnDef'], colname: cmd.name });
      return { action: 'alterColumnType', column: String(cmd.name), typeOid: spec.typeOid, typmod: spec.typmod ?? -1 };
    }
    case 'AT_SetNotNull':
      return { action: 'setNotNull', column: String(cmd.name) };
    case 'AT_DropNotNull':
      return { action: 'dropNotNull', column: String(cmd.name) };
    case 'AT_GenericOptions':
      return { action: 'options', changes: optionChanges(cmd.def?.['List']?.items ?? []) };
    case 'AT_ChangeOwner':
      return { action: 'owner', role: roleOf(cmd.newowner, context.user) ?? 'public' };
    case 'AT_AttachPartition': {
      const partition = cmd.def['PartitionCmd'] as Node;
      const bound = partition.bound as Node | undefined;
      if (!bound || bound.strategy !== 'l' || bound.is_default) {
        throw new PgError(SqlState.featureNotSupported, 'a partition of a federated table needs FOR VALUES IN (…)');
      }
      return { action: 'attachPartition', partition: qualified(partition.name), values: ((bound.listdatums ?? []) as Node[]).map(partitionValue) };
    }
    case 'AT_DetachPartition':
      return { action: 'detachPartition', partition: qualified(cmd.def['PartitionCmd'].name) };
    default:
      throw new PgError(SqlState.featureNotSupported, `ALTER TABLE ${String(cmd.subtype).replace('AT_', '')} is not supported by C2D`);
  }
}

/** ALTER … RENAME TO / RENAME COLUMN for servers, tables, foreign tables and schemas. */
export function bindRename(body: Node): BoundDdl {
  const to = String(body.newname);
  switch (body.renameType) {
    case 'OBJECT_FOREIGN_SERVER':
      return { commandTag: 'ALTER SERVER', apply: (s) => s.alterServer({ name: String(body.object?.['String']?.sval), renameTo: to }) };
    case 'OBJECT_SCHEMA':
      return { commandTag: 'ALTER SCHEMA', apply: (s) => s.alterSchema({ name: String(body.subname), renameTo: to }) };
    case 'OBJECT_TABLE':
    case 'OBJECT_FOREIGN_TABLE':
      return relationAlter(body, body.renameType === 'OBJECT_FOREIGN_TABLE', { action: 'rename', to });
    case 'OBJECT_COLUMN':
      return relationAlter(body, body.relationType === 'OBJECT_FOREIGN_TABLE', { action: 'renameColumn', column: String(body.subname), to });
    default:
      throw new PgError(SqlState.featureNotSupported, `ALTER ${String(body.renameType).replace('OBJECT_', '')} RENAME is not supported by C2D`);
  }
}

function relationAlter(body: Node, foreign: boolean, action: AlterRelationAction): BoundDdl {
  const relation: QualifiedName = qualified(body.relation);
  return {
    commandTag: foreign ? 'ALTER FOREIGN TABLE' : 'ALTER TABLE',
    apply: (s) => s.alterRelation({ relation, statement: foreign ? 'foreign table' : 'table', actions: [action], ifExists: Boolean(body.missing_ok) }),
  };
}

function optionChanges(list: Node[]): OptionChange[] {
  return list.map((d) => {
    const def = d['DefElem'] as Node;
    const key = String(def.defname);
    if (def.defaction === 'DEFELEM_DROP') return { action: 'drop', key };
    const value = String(def.arg?.['String']?.sval ?? def.arg?.['Integer']?.ival ?? '');
    return { action: def.defaction === 'DEFELEM_SET' ? 'set' : 'add', key, value };
  });
}
