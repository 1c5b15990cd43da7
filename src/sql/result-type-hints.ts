/**
 * Where a query's select list casts to a PostgreSQL type that DuckDB has no own type for
 * (varchar(n), char(n), name, json …), DuckDB reports plain VARCHAR. These hints carry
 * the type the client asked for, so RowDescription says what PostgreSQL would say.
 */
import { builtinTypeByName } from './builtin-types.js';

export interface TypeHint {
  oid: number;
  typmod: number;
}

/** Hints by output column position; empty when the select list has a `*` or is not simple. */
export function resultTypeHints(statement: Record<string, unknown>): Array<TypeHint | null> {
  const select = (statement as { SelectStmt?: { targetList?: unknown[]; op?: string } }).SelectStmt;
  if (!select?.targetList || (select.op && select.op !== 'SETOP_NONE')) return [];
  const hints: Array<TypeHint | null> = [];
  for (const target of select.targetList) {
    const val = (target as { ResTarget?: { val?: Record<string, any> } }).ResTarget?.val;
    if (!val || val['ColumnRef']?.fields?.some((f: Record<string, unknown>) => 'A_Star' in f)) return [];
    hints.push(val['TypeCast'] ? hintOf(val['TypeCast'].typeName) : null);
  }
  return hints;
}

function hintOf(typeName: { names?: Array<{ String?: { sval?: string } }>; typmods?: unknown[]; arrayBounds?: unknown[] }): TypeHint | null {
  if (typeName.arrayBounds?.length) return null;
  const name = typeName.names?.at(-1)?.String?.sval;
  const info = name ? builtinTypeByName(name) : undefined;
  if (!info) return null;
  const mod = (typeName.typmods?.[0] as { A_Const?: { ival?: { ival?: number } } } | undefined)?.A_Const?.ival?.ival;
  const lengthTyped = info.name === 'varchar' || info.name === 'bpchar';
  return { oid: info.oid, typmod: lengthTyped && mod !== undefined ? mod + 4 : -1 };
}
