/**
 * Binds the SQL/MED DDL a DBA runs (CREATE SERVER, CREATE TABLE … PARTITION BY LIST,
 * CREATE FOREIGN TABLE [PARTITION OF], CREATE USER MAPPING, SECURITY LABEL, DROP) to one
 * federation-catalog request each. Names and types are resolved here; the catalog checks
 * existence and conflicts, atomically.
 */
import type { CatalogStore, DdlOutcome } from '../../catalog/index.js';
import type { ColumnSpec, QualifiedName } from '../../catalog/catalog-requests.js';
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';
import { builtinTypeByName } from '../builtin-types.js';
import { arrayTypeOid } from '../types/index.js';

type Node = Record<string, any>;

/** A bound DDL statement: what it does to the catalog, and the tag it completes with. */
export interface BoundDdl {
  commandTag: string;
  apply(store: CatalogStore): Promise<DdlOutcome>;
}

/** The DDL statement kinds this binder handles. */
export const DDL_STATEMENTS: ReadonlySet<string> = new Set([
  'CreateForeignServerStmt',
  'CreateForeignTableStmt',
  'CreateStmt',
  'CreateUserMappingStmt',
  'SecLabelStmt',
  'DropStmt',
]);

export function bindDdl(kind: string, body: Node, user: string): BoundDdl {
  switch (kind) {
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
      return {
        commandTag: 'CREATE FOREIGN TABLE',
        apply: (s) =>
          s.createForeignTable({
            table: qualified(base.relation),
            owner: user,
            server: body.servername,
            options: options(body.options),
            ...(parent
              ? { partitionOf: { parent: qualified(parent), values: ((bound!.listdatums ?? []) as Node[]).map(partitionValue) } }
              : { columns: columns(base.tableElts) }),
            ifNotExists: Boolean(base.if_not_exists),
          }),
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
    default:
      throw new PgError(SqlState.featureNotSupported, `DROP ${String(body.removeType).replace('OBJECT_', '')} is not supported by C2D`);
  }
}

function qualified(range: Node): QualifiedName {
  return range.schemaname ? { schema: range.schemaname, name: range.relname } : { name: range.relname };
}

function options(list: Node[] | undefined): ReadonlyArray<readonly [string, string]> {
  return (list ?? []).map((d) => {
    const def = d['DefElem'];
    return [String(def.defname), String(def.arg?.['String']?.sval ?? def.arg?.['Integer']?.ival ?? '')] as const;
  });
}

function roleOf(spec: Node | undefined, current: string): string | null {
  switch (spec?.roletype) {
    case 'ROLESPEC_PUBLIC':
      return null;
    case 'ROLESPEC_CURRENT_USER':
    case 'ROLESPEC_CURRENT_ROLE':
    case 'ROLESPEC_SESSION_USER':
      return current;
    default:
      return String(spec?.rolename);
  }
}

function partitionValue(datum: Node): string | null {
  const c = datum['A_Const'];
  if (!c) throw new PgError(SqlState.featureNotSupported, 'partition values must be constants');
  if (c.isnull) return null;
  if (c.sval) return String(c.sval.sval ?? '');
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return String(c.fval.fval);
  if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
  return '0';
}

function columns(elements: Node[] | undefined): ColumnSpec[] {
  return (elements ?? []).map((element) => {
    const def = element['ColumnDef'];
    if (!def) throw new PgError(SqlState.featureNotSupported, 'only column definitions are supported in a C2D table definition');
    const notNull = ((def.constraints ?? []) as Node[]).some((c) => c['Constraint']?.contype === 'CONSTR_NOTNULL');
    return { name: String(def.colname), ...typeOf(def.typeName), notNull };
  });
}

/** A type name as the parser gives it (pg_catalog.int4, varchar(5), numeric(10,2), text[]). */
function typeOf(typeName: Node): { typeOid: number; typmod: number } {
  const names = ((typeName.names ?? []) as Node[]).map((n) => String(n['String']?.sval));
  const name = names[names.length - 1]!;
  const info = builtinTypeByName(name);
  if (!info || info.kind !== 'b') throw new PgError(SqlState.undefinedObject, `type "${names.join('.')}" does not exist`);
  const mods = ((typeName.typmods ?? []) as Node[]).map((m) => Number(m['A_Const']?.ival?.ival ?? 0));
  let typmod = -1;
  if ((name === 'varchar' || name === 'bpchar') && mods.length === 1) typmod = mods[0]! + 4;
  if (name === 'numeric' && mods.length >= 1) typmod = ((mods[0]! << 16) | (mods[1] ?? 0)) + 4;
  if (typeName.arrayBounds?.length) {
    const array = arrayTypeOid(info.oid);
    if (array === undefined) throw new PgError(SqlState.undefinedObject, `type "${name}[]" does not exist`);
    return { typeOid: array, typmod };
  }
  return { typeOid: info.oid, typmod };
}
