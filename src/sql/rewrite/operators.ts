/**
 * Operators: PostgreSQL's regular-expression operators become DuckDB's regexp_matches
 * (DuckDB's own `~` is a full match, PostgreSQL's finds a match anywhere);
 * `x = ANY(array)` becomes list_contains; OPERATOR(pg_catalog.op) loses its qualifier.
 */
import type { Node } from 'libpg-query';
import { funcCall, nameList, not, stringConst, str, unwrap, type Fields } from './nodes.js';

const regexOperators: Readonly<Record<string, { negated: boolean; caseInsensitive: boolean }>> = {
  '~': { negated: false, caseInsensitive: false },
  '~*': { negated: false, caseInsensitive: true },
  '!~': { negated: true, caseInsensitive: false },
  '!~*': { negated: true, caseInsensitive: true },
};

export function rewriteAExpr(fields: Fields): Node | undefined {
  const names = nameList(fields['name']);
  const op = names[names.length - 1];
  if (op === undefined) return undefined;
  const kind = fields['kind'];
  const lexpr = fields['lexpr'] as Node | undefined;
  const rexpr = fields['rexpr'] as Node | undefined;
  if (kind === 'AEXPR_OP') {
    const regex = regexOperators[op];
    if (regex && lexpr && rexpr) {
      const args = regex.caseInsensitive ? [lexpr, rexpr, stringConst('i')] : [lexpr, rexpr];
      const call = funcCall(['regexp_matches'], args);
      return regex.negated ? not(call) : call;
    }
  }
  if ((kind === 'AEXPR_OP_ANY' || kind === 'AEXPR_OP_ALL') && lexpr && rexpr && unwrap(rexpr)?.[0] !== 'SubLink') {
    // ANY/ALL over an array value (a subquery is a SubLink, which DuckDB runs as is).
    if (kind === 'AEXPR_OP_ANY' && op === '=') return funcCall(['list_contains'], [rexpr, lexpr]);
    if (kind === 'AEXPR_OP_ALL' && op === '<>') return not(funcCall(['list_contains'], [rexpr, lexpr]));
  }
  if (names.length > 1) fields['name'] = [str(op)];
  return undefined;
}
