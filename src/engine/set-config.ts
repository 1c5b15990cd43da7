/**
 * `SELECT set_config(name, value, is_local)`, PostgreSQL's function form of SET, which
 * pg_dump and several drivers send at connect. It changes the session, so the session
 * runs it (a query engine cannot); recognised when the select list is nothing but
 * set_config calls with constant arguments, as those clients write it.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { constantText } from './ast.js';

export interface SetConfigCall {
  /** The result column's name: the alias, or set_config. */
  readonly column: string;
  readonly name: string;
  readonly value: string;
  readonly local: boolean;
}

/** The calls of a SelectStmt body that is only set_config(...) with constants, or null. */
export function setConfigCalls(select: any): SetConfigCall[] | null {
  const targets: any[] = select?.targetList ?? [];
  if (targets.length === 0 || select.fromClause || select.whereClause || select.withClause || select.valuesLists) return null;
  const calls: SetConfigCall[] = [];
  for (const target of targets) {
    const call = target?.ResTarget?.val?.FuncCall;
    const names: string[] = (call?.funcname ?? []).map((n: any) => n?.String?.sval);
    const plain = names.length === 1 || (names.length === 2 && names[0] === 'pg_catalog');
    if (!call || !plain || names.at(-1) !== 'set_config' || call.args?.length !== 3) return null;
    const [name, value, local] = (call.args as unknown[]).map(constantText);
    if (name === null || name === undefined || value === null || value === undefined || local === null || local === undefined) return null;
    calls.push({ column: target.ResTarget.name ?? 'set_config', name, value, local: ['on', 'true', 't', '1', 'yes'].includes(local.toLowerCase()) });
  }
  return calls;
}
