/**
 * Reading the parser's DDL nodes: qualified names, option lists, role specs, partition
 * values and column definitions with their PostgreSQL types.
 */
import type { ColumnSpec, QualifiedName } from '../../catalog/catalog-requests.js';
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';
import { builtinTypeByName } from '../builtin-types.js';
import { arrayTypeOid } from '../types/index.js';

type Node = Record<string, any>;

export function qualified(range: Node): QualifiedName {
  return range.schemaname ? { schema: range.schemaname, name: range.relname } : { name: range.relname };
}

export function options(list: Node[] | undefined): ReadonlyArray<readonly [string, string]> {
  return (list ?? []).map((d) => {
    const def = d['DefElem'];
    return [String(def.defname), String(def.arg?.['String']?.sval ?? def.arg?.['Integer']?.ival ?? '')] as const;
  });
}

export function roleOf(spec: Node | undefined, current: string): string | null {
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

export function partitionValue(datum: Node): string | null {
  const c = datum['A_Const'];
  if (!c) throw new PgError(SqlState.featureNotSupported, 'partition values must be constants');
  if (c.isnull) return null;
  if (c.sval) return String(c.sval.sval ?? '');
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return String(c.fval.fval);
  if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
  return '0';
}

export function columns(elements: Node[] | undefined): ColumnSpec[] {
  return (elements ?? []).map((element) => {
    const def = element['ColumnDef'];
    if (!def) throw new PgError(SqlState.featureNotSupported, 'only column definitions are supported in a C2D table definition');
    return columnSpec(def);
  });
}

/** One ColumnDef node as a catalog column. */
export function columnSpec(def: Node): ColumnSpec {
  const notNull = ((def.constraints ?? []) as Node[]).some((c) => c['Constraint']?.contype === 'CONSTR_NOTNULL');
  return { name: String(def.colname), ...typeOf(def.typeName), notNull };
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
