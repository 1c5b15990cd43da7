/**
 * Operators: PostgreSQL's regular-expression operators become DuckDB's regexp_matches
 * (DuckDB's own `~` is a full match, PostgreSQL's finds a match anywhere);
 * `x = ANY(array)` becomes list_contains; `/` and `%` raise 22012 on a zero divisor, as
 * in PostgreSQL (DuckDB answers NULL); OPERATOR(pg_catalog.op) loses its qualifier.
 */
import type { Node } from 'libpg-query';
import { funcCall, intConst, nameList, not, operator, stringConst, str, unwrap, type Fields } from './nodes.js';

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
    if ((op === '/' || op === '%') && lexpr && rexpr && !isNonZeroNumber(rexpr)) return guardedDivision(rexpr, node(fields, op));
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

/** The A_Expr itself again, as a node (its fields were rewritten in place). */
function node(fields: Fields, op: string): Node {
  return { A_Expr: { ...fields, name: [str(op)] } } as Node;
}

/** `CASE WHEN divisor = 0 THEN error('division by zero') ELSE division END`; the message maps to 22012. */
function guardedDivision(divisor: Node, division: Node): Node {
  const isZero = operator('=', divisor, intConst(0));
  const when = { CaseWhen: { expr: isZero, result: funcCall(['error'], [stringConst('division by zero')]) } } as Node;
  return { CaseExpr: { args: [when], defresult: division } } as Node;
}

/** A numeric literal other than zero: no guard needed. */
function isNonZeroNumber(value: Node): boolean {
  const konst = unwrap(value);
  if (konst?.[0] !== 'A_Const') return false;
  const { ival, fval } = konst[1] as { ival?: { ival?: number }; fval?: { fval?: string } };
  if (ival) return (ival.ival ?? 0) !== 0;
  if (fval?.fval !== undefined) return !/^[-+]?0*\.?0*(e[-+]?\d+)?$/i.test(fval.fval);
  return false;
}
