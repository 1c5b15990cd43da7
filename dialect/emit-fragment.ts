/**
 * SQL text for a fragment (src/planner/fragment.ts) in one engine's dialect. Every name
 * and literal goes through the dialect's quoting; nothing from a user is spliced in.
 */
import type { Aggregate, Expr, Fragment, LiteralType, OutputItem } from '../src/planner/fragment.js';
import type { SqlDialect } from './sql-dialect.js';

export function emitFragment(dialect: SqlDialect, fragment: Fragment): string {
  const e = (x: Expr): string => emitExpr(dialect, x);
  const items = fragment.output.map((item) => `${emitOutput(dialect, item)} AS ${dialect.quoteIdentifier(item.alias)}`);
  // The gateway's view of a fragment has no schema (its party fills in where the table is).
  const table = (t: { schema: string; name: string }): string => dialect.quoteQualified(t.schema === '' ? [t.name] : [t.schema, t.name]);
  let sql = `SELECT ${items.join(', ')} FROM ${table(fragment.table)}`;
  if (fragment.alias !== undefined) sql += ` AS ${dialect.quoteIdentifier(fragment.alias)}`;
  for (const join of fragment.joins ?? []) sql += ` JOIN ${table(join.table)} AS ${dialect.quoteIdentifier(join.alias)} ON ${e(join.on)}`;
  if (fragment.where) sql += ` WHERE ${e(fragment.where)}`;
  if (fragment.groupBy.length) sql += ` GROUP BY ${fragment.groupBy.map(e).join(', ')}`;
  if (fragment.having) sql += ` HAVING ${e(fragment.having)}`;
  if (fragment.orderBy.length) {
    const order = fragment.orderBy.map((o) => dialect.orderItem(String(o.output + 1), o.descending, o.nullsFirst));
    sql += ` ORDER BY ${order.join(', ')}`;
  }
  const tail = dialect.limitOffset(fragment.limit, null);
  return tail ? `${sql} ${tail}` : sql;
}

function emitOutput(dialect: SqlDialect, item: OutputItem): string {
  return item.kind === 'expr' ? emitExpr(dialect, item.expr) : emitAggregate(dialect, item.aggregate);
}

function emitAggregate(dialect: SqlDialect, { fn, arg, distinct, bigint }: Aggregate): string {
  if (arg === null) return 'count(*)';
  const call = `${fn}(${distinct ? 'DISTINCT ' : ''}${emitExpr(dialect, arg)})`;
  return bigint ? dialect.bigintSum(call) : call;
}

export function emitExpr(dialect: SqlDialect, x: Expr): string {
  const e = (y: Expr): string => emitExpr(dialect, y);
  switch (x.kind) {
    case 'column':
      return x.table === undefined ? dialect.quoteIdentifier(x.name) : `${dialect.quoteIdentifier(x.table)}.${dialect.quoteIdentifier(x.name)}`;
    case 'literal':
      return x.type ? typedLiteral(dialect, x.type, x.value) : dialect.literal(x.value);
    case 'compare':
      return `(${e(x.left)} ${x.op} ${e(x.right)})`;
    case 'and':
    case 'or':
      return x.args.length === 0 ? (x.kind === 'and' ? 'TRUE' : 'FALSE') : `(${x.args.map(e).join(` ${x.kind.toUpperCase()} `)})`;
    case 'not':
      return `(NOT ${e(x.arg)})`;
    case 'is-null':
      return `(${e(x.arg)} IS ${x.negated ? 'NOT ' : ''}NULL)`;
    case 'in':
      return `(${e(x.arg)} ${x.negated ? 'NOT ' : ''}IN (${x.values.map(e).join(', ')}))`;
    case 'like':
      return dialect.likeExpression(e(x.arg), e(x.pattern), x.negated, x.caseInsensitive);
    case 'between':
      return `(${e(x.arg)} ${x.negated ? 'NOT ' : ''}BETWEEN ${e(x.low)} AND ${e(x.high)})`;
    case 'arithmetic':
      return x.op === '%' && !isNonZeroLiteral(x.right) ? dialect.remainder(e(x.left), e(x.right)) : `(${e(x.left)} ${x.op} ${e(x.right)})`;
    case 'date-diff':
      return dialect.dateDiff(e(x.left), e(x.right));
    case 'call':
      return `${x.fn}(${x.args.map(e).join(', ')})`;
    case 'aggregate':
      return emitAggregate(dialect, x.aggregate);
  }
}

function isNonZeroLiteral(x: Expr): boolean {
  return x.kind === 'literal' && (typeof x.value === 'number' || typeof x.value === 'bigint') && Number(x.value) !== 0;
}

function typedLiteral(dialect: SqlDialect, type: LiteralType, value: unknown): string {
  if (value === null) return 'NULL';
  const text = String(value);
  if (type === 'numeric') {
    // Bare decimal text is exact in every engine; anything else is refused.
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`not a decimal literal: ${text}`);
    return text;
  }
  return `CAST(${dialect.quoteString(text)} AS ${dialect.typeName(type)})`;
}
