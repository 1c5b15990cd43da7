/**
 * Binds the SQL/MED DDL a DBA runs (CREATE SERVER, CREATE TABLE … PARTITION BY LIST,
 * CREATE FOREIGN TABLE [PARTITION OF], CREATE USER MAPPING, SECURITY LABEL, DROP) to one
 * federation-catalog request each. Names and types are resolved here; the catalog checks
 * existence and conflicts, atomically.
 */
import type { CatalogStore, DdlOutcome } from '../../catalog/index.js';
import type { QualifiedName } from '../../catalog/catalog-requests.js';
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';
import {
  bindAlterServer,
  bindAlterTable,
  bindAlterUserMapping,
  bindCreateSchema,
  bindDropUserMapping,
  bindImportForeignSchema,
  bindRename,
} from './bind-alter.js';
import { columns, options, partitionValue, qualified, roleOf } from './ddl-nodes.js';
import { checkAgainstParty, type PartyTables } from './party-tables.js';

type Node = Record<string, any>;

/** A bound DDL statement: what it does to the catalog, and the tag it completes with. */
export interface BoundDdl {
  commandTag: string;
  apply(store: CatalogStore): Promise<DdlOutcome>;
}

/** Who runs the statement, and how to reach the parties (to import and check their tables). */
export interface DdlContext {
  user: string;
  parties?: PartyTables;
}

/** The DDL statement kinds this binder handles. */
export const DDL_STATEMENTS: ReadonlySet<string> = new Set([
  'CreateForeignServerStmt',
  'AlterForeignServerStmt',
  'CreateForeignTableStmt',
  'CreateStmt',
  'AlterTableStmt',
  'RenameStmt',
  'CreateUserMappingStmt',
  'AlterUserMappingStmt',
  'DropUserMappingStmt',
  'CreateSchemaStmt',
  'ImportForeignSchemaStmt',
  'SecLabelStmt',
  'DropStmt',
]);

export function bindDdl(kind: string, body: Node, context: DdlContext): BoundDdl {
  const user = context.user;
  switch (kind) {
    case 'AlterForeignServerStmt':
      return bindAlterServer(body);
    case 'AlterTableStmt':
      return bindAlterTable(body, context);
    case 'RenameStmt':
      return bindRename(body);
    case 'AlterUserMappingStmt':
      return bindAlterUserMapping(body, context);
    case 'DropUserMappingStmt':
      return bindDropUserMapping(body, context);
    case 'CreateSchemaStmt':
      return bindCreateSchema(body, context);
    case 'ImportForeignSchemaStmt':
      return bindImportForeignSchema(body, context);
    case 'CreateForeignServerStmt':
      if (body.fdwname !== 'c2d') {
        throw new PgError(SqlState.undefinedObject, `foreign-data wrapper "${body.fdwname}" does not exist`, {
          hint: 'C2D parties are servers of the foreign-data wrapper c2d.',
        });
      }
      return {
        commandTag: 'CREATE SERVER',
        apply: (s) =>
          s.createServer({
            name: body.servername,
            wrapper: 'c2d',
            owner: user,
            type: body.servertype ?? null,
            version: body.version ?? null,
            options: options(body.options),
            ifNotExists: Boolean(body.if_not_exists),
          }),
      };
    case 'CreateStmt': {
      const spec = body.partspec;
      if (!spec) {
        throw new PgError(SqlState.featureNotSupported, 'C2D tables are federated: use CREATE TABLE … PARTITION BY LIST (key) or CREATE FOREIGN TABLE', {
          hint: 'Data stays at its owners; a gateway table only describes where the rows live.',
        });
      }
      const strategy = String(spec.strategy).toLowerCase();
      return {
        commandTag: 'CREATE TABLE',
        apply: (s) =>
          s.createPartitionedTable({
            table: qualified(body.relation),
            owner: user,
            columns: columns(body.tableElts),
            partitionBy: {
              strategy: strategy.includes('list') ? 'list' : strategy.includes('range') ? 'range' : 'hash',
              columns: ((spec.partParams ?? []) as Node[]).map((p) => {
                const name = p['PartitionElem']?.name;
                if (typeof name !== 'string') throw new PgError(SqlState.featureNotSupported, 'partition keys must be plain columns');
                return name;
              }),
            },
            ifNotExists: Boolean(body.if_not_exists),
          }),
      };
    }
    case 'CreateForeignTableStmt': {
      const base = body.base as Node;
      const parent = (base.inhRelations as Node[] | undefined)?.[0]?.['RangeVar'];
      const bound = base.partbound as Node | undefined;
      if (parent && (!bound || bound.strategy !== 'l' || bound.is_default)) {
        throw new PgError(SqlState.featureNotSupported, 'a partition of a federated table needs FOR VALUES IN (…)');
      }
      const request = {
        table: qualified(base.relation),
        owner: user,
        server: String(body.servername),
        options: options(body.options),
        ...(parent
          ? { partitionOf: { parent: qualified(parent), values: ((bound!.listdatums ?? []) as Node[]).map(partitionValue) } }
          : { columns: columns(base.tableElts) }),
        ifNotExists: Boolean(base.if_not_exists),
      };
      return {
        commandTag: 'CREATE FOREIGN TABLE',
        apply: async (s) => {
          // Checked with the party before anything is written: nothing half-created remains.
          if (context.parties) {
            const snapshot = await s.snapshot();
            if (!(request.ifNotExists && snapshot.relation(request.table))) await checkAgainstParty(context.parties, request, snapshot);
          }
          return s.createForeignTable(request);
        },
      };
    }
    case 'CreateUserMappingStmt':
      return {
        commandTag: 'CREATE USER MAPPING',
        apply: (s) =>
          s.createUserMapping({
            role: roleOf(body.user, user),
            server: body.servername,
            options: options(body.options),
            ifNotExists: Boolean(body.if_not_exists),
          }),
      };
    case 'SecLabelStmt': {
      if (body.provider !== undefined && body.provider !== 'c2d') {
        throw new PgError(SqlState.undefinedObject, `security label provider "${body.provider}" is not loaded`);
      }
      const names = ((body.object?.['List']?.items ?? []) as Node[]).map((n) => String(n['String']?.sval));
      let relation: QualifiedName;
      let column: string | undefined;
      if (body.objtype === 'OBJECT_COLUMN') {
        if (names.length < 2 || names.length > 3) throw new PgError(SqlState.syntaxError, 'column name must be qualified');
        column = names.pop();
        relation = names.length === 2 ? { schema: names[0]!, name: names[1]! } : { name: names[0]! };
      } else if (body.objtype === 'OBJECT_TABLE' || body.objtype === 'OBJECT_FOREIGN_TABLE') {
        relation = names.length === 2 ? { schema: names[0]!, name: names[1]! } : { name: names[0]! };
      } else {
        throw new PgError(SqlState.featureNotSupported, 'C2D labels tables and columns only');
      }
      return {
        commandTag: 'SECURITY LABEL',
        apply: (s) => s.setSecurityLabel({ provider: 'c2d', relation, ...(column !== undefined ? { column } : {}), label: body.label ?? null }),
      };
    }
    case 'DropStmt':
      return bindDrop(body);
    default:
      throw new PgError(SqlState.featureNotSupported, `${kind} is not DDL C2D handles`);
  }
}

function bindDrop(body: Node): BoundDdl {
  const ifExists = Boolean(body.missing_ok);
  const cascade = body.behavior === 'DROP_CASCADE';
  const objects = (body.objects ?? []) as Node[];
  switch (body.removeType) {
    case 'OBJECT_FOREIGN_SERVER':
      return {
        commandTag: 'DROP SERVER',
        apply: (s) => s.dropServers({ names: objects.map((o) => String(o['String']?.sval)), ifExists, cascade }),
      };
    case 'OBJECT_TABLE':
    case 'OBJECT_FOREIGN_TABLE': {
      const relations = objects.map((o) => {
        const parts = ((o['List']?.items ?? []) as Node[]).map((p) => String(p['String']?.sval));
        return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : { name: parts[parts.length - 1]! };
      });
      const foreign = body.removeType === 'OBJECT_FOREIGN_TABLE';
      return {
        commandTag: foreign ? 'DROP FOREIGN TABLE' : 'DROP TABLE',
        apply: (s) => s.dropRelations({ relations, statement: foreign ? 'foreign table' : 'table', ifExists, cascade }),
      };
    }
    case 'OBJECT_SCHEMA':
      return {
        commandTag: 'DROP SCHEMA',
        apply: (s) => s.dropSchemas({ names: objects.map((o) => String(o['String']?.sval)), ifExists, cascade }),
      };
    default:
      throw new PgError(SqlState.featureNotSupported, `DROP ${String(body.removeType).replace('OBJECT_', '')} is not supported by C2D`);
  }
}

