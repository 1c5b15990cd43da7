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
  /** `table`: the alias of the joined table the column belongs to, in a fragment that joins. */
  | { readonly kind: 'column'; readonly name: string; readonly table?: string }
  | { readonly kind: 'literal'; readonly value: Literal; readonly type?: LiteralType }
  | { readonly kind: 'compare'; readonly op: ComparisonOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'and' | 'or'; readonly args: readonly Expr[] }
  | { readonly kind: 'not'; readonly arg: Expr }
  | { readonly kind: 'is-null'; readonly arg: Expr; readonly negated: boolean }
  | { readonly kind: 'in'; readonly arg: Expr; readonly values: readonly Expr[]; readonly negated: boolean }
  | { readonly kind: 'like'; readonly arg: Expr; readonly pattern: Expr; readonly negated: boolean; readonly caseInsensitive: boolean }
  | { readonly kind: 'between'; readonly arg: Expr; readonly low: Expr; readonly high: Expr; readonly negated: boolean }
  | { readonly kind: 'arithmetic'; readonly op: ArithmeticOp; readonly left: Expr; readonly right: Expr }
  /**
   * PostgreSQL's date - date: the whole days from `right` to `left`, an integer. Its own
   * node because engines spell it differently (in Spark, date - date is an INTERVAL DAY).
   */
  | { readonly kind: 'date-diff'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'call'; readonly fn: ScalarFunction; readonly args: readonly Expr[] }
  /** Only in a fragment's HAVING. */
  | { readonly kind: 'aggregate'; readonly aggregate: Aggregate };

export type AggregateFunction = 'count' | 'sum' | 'min' | 'max';

export interface Aggregate {
  readonly fn: AggregateFunction;
  /** null: count(*). */
  readonly arg: Expr | null;
  readonly distinct?: boolean;
  /**
   * Only on sum over int2/int4, whose PostgreSQL type is bigint: an engine whose sum is
   * wider (DuckDB's HUGEINT) casts it, so the rows arrive in the type the client is told
   * and the gateway passes them on without converting each value.
   */
  readonly bigint?: boolean;
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

export interface FragmentTable {
  readonly schema: string;
  readonly name: string;
}

/** An inner join of another table of the same party, on a condition over both. */
export interface FragmentJoin {
  readonly table: FragmentTable;
  readonly alias: string;
  readonly on: Expr;
}

export interface Fragment {
  readonly table: FragmentTable;
  /** The alias of `table`, set when the fragment joins (its columns then name their table). */
  readonly alias?: string;
  readonly joins?: readonly FragmentJoin[];
  readonly output: readonly OutputItem[];
  readonly where: Expr | null;
  /** Grouping expressions; with aggregates in `output`, every 'expr' output item must be one of these. */
  readonly groupBy: readonly Expr[];
  /** A condition on the groups; the only place an 'aggregate' expression may appear. */
  readonly having?: Expr | null;
  readonly orderBy: readonly OrderItem[];
  readonly limit: bigint | null;
}

/** Column names an expression reads. */
export function columnsOfExpr(e: Expr, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'column') out.add(e.name);
  else for (const child of children(e)) columnsOfExpr(child, out);
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
  if (fragment.having) columnsOfExpr(fragment.having, out);
  for (const j of fragment.joins ?? []) columnsOfExpr(j.on, out);
  return out;
}

/** The columns a fragment reads, per table: the key is a join alias, or '' for an unjoined fragment's table. */
export function columnsReadByTable(fragment: Fragment): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const visit = (e: Expr): void => {
    if (e.kind === 'column') {
      const key = e.table ?? '';
      let set = out.get(key);
      if (!set) out.set(key, (set = new Set()));
      set.add(e.name);
      return;
    }
    for (const child of children(e)) visit(child);
  };
  for (const item of fragment.output) {
    const e = item.kind === 'expr' ? item.expr : item.aggregate.arg;
    if (e) visit(e);
  }
  if (fragment.where) visit(fragment.where);
  for (const g of fragment.groupBy) visit(g);
  if (fragment.having) visit(fragment.having);
  for (const j of fragment.joins ?? []) visit(j.on);
  return out;
}

function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return [];
    case 'compare':
    case 'arithmetic':
    case 'date-diff':
      return [e.left, e.right];
    case 'and':
    case 'or':
    case 'call':
      return [...e.args];
    case 'not':
    case 'is-null':
      return [e.arg];
    case 'in':
      return [e.arg, ...e.values];
    case 'like':
      return [e.arg, e.pattern];
    case 'between':
      return [e.arg, e.low, e.high];
    case 'aggregate':
      return e.aggregate.arg ? [e.aggregate.arg] : [];
  }
}
