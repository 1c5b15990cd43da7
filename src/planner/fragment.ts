/**
 * The plan IR for what a party runs on its own engine: one table, a projection, a
 * filter, optionally a grouping with aggregates, an order and a limit. The gateway sends
 * fragments in this form, not as SQL text, so a party node can see exactly which columns
 * a fragment reads and can emit the SQL itself, in its engine's dialect (dialect/).
 */

export type Literal = null | boolean | number | bigint | string;

/** Types a literal can be given explicitly (dates and timestamps travel as ISO text). */
export type LiteralType = 'date' | 'timestamp' | 'timestamptz' | 'numeric';

export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
/**
 * No division: its meaning on integers differs between engines (PostgreSQL and Spark
 * disagree on 7 / 2), so a fragment never divides; the gateway does.
 */
export type ArithmeticOp = '+' | '-' | '*' | '%';

/** Scalar functions every dialect can express, with PostgreSQL's meaning. */
export type ScalarFunction = 'lower' | 'upper' | 'length' | 'abs' | 'coalesce';

export type Expr =
  | { readonly kind: 'column'; readonly name: string }
  | { readonly kind: 'literal'; readonly value: Literal; readonly type?: LiteralType }
  | { readonly kind: 'compare'; readonly op: ComparisonOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'and' | 'or'; readonly args: readonly Expr[] }
  | { readonly kind: 'not'; readonly arg: Expr }
  | { readonly kind: 'is-null'; readonly arg: Expr; readonly negated: boolean }
  | { readonly kind: 'in'; readonly arg: Expr; readonly values: readonly Expr[]; readonly negated: boolean }
  | { readonly kind: 'like'; readonly arg: Expr; readonly pattern: Expr; readonly negated: boolean; readonly caseInsensitive: boolean }
  | { readonly kind: 'between'; readonly arg: Expr; readonly low: Expr; readonly high: Expr; readonly negated: boolean }
  | { readonly kind: 'arithmetic'; readonly op: ArithmeticOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'call'; readonly fn: ScalarFunction; readonly args: readonly Expr[] };

export type AggregateFunction = 'count' | 'sum' | 'min' | 'max';

export interface Aggregate {
  readonly fn: AggregateFunction;
  /** null: count(*). */
  readonly arg: Expr | null;
  readonly distinct?: boolean;
}

export type OutputItem =
  | { readonly kind: 'expr'; readonly expr: Expr; readonly alias: string }
  | { readonly kind: 'aggregate'; readonly aggregate: Aggregate; readonly alias: string };

export interface OrderItem {
  /** 0-based index into `output`. */
  readonly output: number;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface Fragment {
  readonly table: { readonly schema: string; readonly name: string };
  readonly output: readonly OutputItem[];
  readonly where: Expr | null;
  /** Grouping expressions; with aggregates in `output`, every 'expr' output item must be one of these. */
  readonly groupBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly limit: bigint | null;
}

/** Column names an expression reads. */
export function columnsOfExpr(e: Expr, out: Set<string> = new Set()): Set<string> {
  switch (e.kind) {
    case 'column':
      out.add(e.name);
      break;
    case 'literal':
      break;
    case 'compare':
    case 'arithmetic':
      columnsOfExpr(e.left, out);
      columnsOfExpr(e.right, out);
      break;
    case 'and':
    case 'or':
    case 'call':
      for (const a of e.args) columnsOfExpr(a, out);
      break;
    case 'not':
    case 'is-null':
      columnsOfExpr(e.arg, out);
      break;
    case 'in':
      columnsOfExpr(e.arg, out);
      for (const v of e.values) columnsOfExpr(v, out);
      break;
    case 'like':
      columnsOfExpr(e.arg, out);
      columnsOfExpr(e.pattern, out);
      break;
    case 'between':
      columnsOfExpr(e.arg, out);
      columnsOfExpr(e.low, out);
      columnsOfExpr(e.high, out);
      break;
  }
  return out;
}

/** The column names a fragment reads: what a party checks against its column policies. */
export function columnsRead(fragment: Fragment): Set<string> {
  const out = new Set<string>();
  for (const item of fragment.output) {
    const e = item.kind === 'expr' ? item.expr : item.aggregate.arg;
    if (e) columnsOfExpr(e, out);
  }
  if (fragment.where) columnsOfExpr(fragment.where, out);
  for (const g of fragment.groupBy) columnsOfExpr(g, out);
  return out;
}
