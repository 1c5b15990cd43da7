/**
 * Reading the few libpg-query node shapes the session layer needs. The parser's JSON is
 * untyped; these helpers keep the `any` in one place.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

/** A statement node as libpg-query gives it: `{ SelectStmt: {...} }`. */
export type StatementNode = Record<string, any>;

/** The node type name and body of a statement node. */
export function nodeKind(node: StatementNode): [string, any] {
  const entries = Object.entries(node);
  if (entries.length !== 1) throw new Error('not a single parse node');
  return entries[0] as [string, any];
}

/** The value of an A_Const / String / Integer / TypeCast-of-constant node as text. */
export function constantText(node: any): string | null {
  if (!node || typeof node !== 'object') return null;
  if (node.A_Const) {
    const c = node.A_Const;
    if (c.isnull) return null;
    if (c.sval) return String(c.sval.sval ?? '');
    if (c.ival) return String(c.ival.ival ?? 0);
    if (c.fval) return String(c.fval.fval ?? '0');
    if (c.boolval) return c.boolval.boolval ? 'on' : 'off';
    if (c.bsval) return String(c.bsval.bsval ?? '');
    return '0';
  }
  if (node.String) return String(node.String.sval ?? '');
  if (node.Integer) return String(node.Integer.ival ?? 0);
  if (node.TypeCast) return constantText(node.TypeCast.arg);
  return null;
}
