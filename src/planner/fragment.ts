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

/** The column names a fragment reads: what a party checks against its column policies. */
export function columnsRead(fragment: Fragment): Set<string> {
  const out = new Set<string>();
  const visit = (e: Expr | null): void => {
    if (e === null) return;
    switch (e.kind) {
      case 'column':
        out.add(e.name);
        return;
      case 'literal':
        return;
      case 'compare':
      case 'arithmetic':
        visit(e.left);
        visit(e.right);
        return;
      case 'and':
      case 'or':
      case 'call':
        e.args.forEach(visit);
        return;
      case 'not':
      case 'is-null':
        visit(e.arg);
        return;
      case 'in':
        visit(e.arg);
        e.values.forEach(visit);
        return;
      case 'like':
        visit(e.arg);
        visit(e.pattern);
        return;
      case 'between':
        visit(e.arg);
        visit(e.low);
        visit(e.high);
        return;
    }
  };
  for (const item of fragment.output) visit(item.kind === 'expr' ? item.expr : item.aggregate.arg);
  visit(fragment.where);
  fragment.groupBy.forEach(visit);
  return out;
}
