/** Small builders and readers for libpg-query's JSON nodes, used by the rewrite rules. */
import type { Node } from 'libpg-query';

export type Fields = Record<string, unknown>;

export function str(value: string): Node {
  return { String: { sval: value } } as Node;
}

export function stringConst(value: string): Node {
  return { A_Const: { sval: { sval: value } } } as Node;
}

export function intConst(value: number): Node {
  return { A_Const: { ival: { ival: value } } } as Node;
}

export function funcCall(names: readonly string[], args: readonly Node[]): Node {
  return { FuncCall: { funcname: names.map(str), args: [...args], funcformat: 'COERCE_EXPLICIT_CALL' } } as Node;
}

export function not(arg: Node): Node {
  return { BoolExpr: { boolop: 'NOT_EXPR', args: [arg] } } as Node;
}

/** `arg::typeName`, with type modifiers when given (numeric(18,0)). */
export function typeCast(arg: Node, typeName: string, typmods: readonly number[] = []): Node {
  const modifiers = typmods.length > 0 ? { typmods: typmods.map(intConst) } : {};
  return { TypeCast: { arg, typeName: { names: [str(typeName)], ...modifiers, typemod: -1 } } } as Node;
}

/** `left op right` for a binary operator (=, +, *, ||). */
export function operator(op: string, left: Node, right: Node): Node {
  return { A_Expr: { kind: 'AEXPR_OP', name: [str(op)], lexpr: left, rexpr: right } } as Node;
}

/** The names of a qualified name list ([{String:{sval}}…]) as strings. */
export function nameList(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => ((item as { String?: { sval?: string } }).String?.sval ?? ''));
}

/** The string value of an A_Const string literal, or undefined. */
export function stringLiteral(node: unknown): string | undefined {
  const konst = (node as { A_Const?: { sval?: { sval?: string }; isnull?: boolean } } | undefined)?.A_Const;
  if (!konst || konst.isnull) return undefined;
  if (konst.sval) return konst.sval.sval ?? '';
  return undefined;
}

/** The node type and fields of a wrapped node `{ Type: fields }`, or undefined. */
export function unwrap(node: unknown): [string, Fields] | undefined {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1) return undefined;
  const type = keys[0]!;
  if (!/^[A-Z]/.test(type)) return undefined;
  const fields = (node as Fields)[type];
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return undefined;
  return [type, fields as Fields];
}
