/**
 * Whole-query pushdown: a query over one federated table whose WHERE leaves a single
 * partition, or over tables joined at one party, which a fragment expresses entirely
 * (plain columns, count/sum/min/max, GROUP BY columns, HAVING, ORDER BY outputs of types
 * every engine orders alike, LIMIT/OFFSET), runs at that party as it stands; its rows go to the
 * client as the party sends them, with no work table and no second query at the gateway.
 * DESIGN: "a query over one party's public data needs no MPC at all and must run at the
 * speed of that engine."
 */
import { TypeOid } from '../sql/types/index.js';
import type { AggregateFunction, Expr, Fragment, OrderItem, OutputItem } from './fragment.js';
import type { FederatedColumn } from './federation.js';
import { SMALL_INTEGERS, type AggregateSource } from './partial-aggregate.js';
import { toFragmentExpr, type PushdownTarget } from './pushdown-filter.js';

type Node = Record<string, any>;

export interface WholeQuery {
  /** The fragment that answers the query at the one partition left (its table filled in per partition). */
  fragment: Omit<Fragment, 'table'>;
  /** Rows to skip at the gateway (the fragment's LIMIT counts them; the IR has no OFFSET). */
  offset: number;
}

const AGGREGATES: ReadonlySet<string> = new Set<AggregateFunction>(['count', 'sum', 'min', 'max']);

/** Types whose order every engine agrees on (text collations differ between engines). */
export const ORDERABLE: ReadonlySet<number> = new Set([
  TypeOid.int2, TypeOid.int4, TypeOid.int8, TypeOid.float4, TypeOid.float8, TypeOid.numeric,
  TypeOid.date, TypeOid.timestamp, TypeOid.timestamptz, TypeOid.bool,
]);

/**
 * The fragment answering `select` whole over `source` (one table, or tables joined at one
 * party), given the fragment form of its entire WHERE minus the partition-key conjuncts
 * (`where`), or null when some part of the query needs the gateway. `star` is what `*`
 * expands to, or null when the party cannot give it (a partition key, a join). `columns`
 * is how HAVING's column references resolve (pushdown-filter.ts).
 */
export function planWholeQuery(
  select: Node,
  source: AggregateSource,
  star: readonly FederatedColumn[] | null,
  where: Expr | null,
  columns: PushdownTarget,
): WholeQuery | null {
  if (select.withClause || select.distinctClause || select.windowClause?.length || select.groupingSets) return null;
  if (select.lockingClause?.length || select.intoClause || select.valuesLists || (select.op && select.op !== 'SETOP_NONE')) return null;
  if (select.limitOption && select.limitOption !== 'LIMIT_OPTION_COUNT' && select.limitOption !== 'LIMIT_OPTION_DEFAULT') return null;
  /** The column a ColumnRef names, unless it is a partition key (its value is the gateway's). */
  const columnOf = (node: Node | undefined): string | null => {
    const name = source.column(node);
    return name === null || source.isKey(name) ? null : name;
  };

  const output: OutputItem[] = [];
  const types: number[] = [];
  /** The query's target nodes by output index, for ORDER BY items that repeat one. */
  const targets: Array<{ name: string | undefined; node: Node }> = [];
  let aggregated = false;
  for (const item of (select.targetList ?? []) as Node[]) {
    const target = item['ResTarget'] as Node;
    const value = target.val as Node;
    if (value['ColumnRef']?.fields?.some((f: Node) => 'A_Star' in f)) {
      if (star === null || value['ColumnRef'].fields.length > 1) return null;
      for (const column of star) {
        output.push({ kind: 'expr', expr: { kind: 'column', name: column.name }, alias: `c${output.length}` });
        types.push(column.typeOid);
        targets.push({ name: column.name, node: { ColumnRef: { fields: [{ String: { sval: column.name } }] } } });
      }
      continue;
    }
    const name = columnOf(value);
    if (name !== null) {
      output.push({ kind: 'expr', expr: source.expr(name), alias: `c${output.length}` });
      types.push(source.type(name)!.typeOid);
      targets.push({ name: target.name ?? lastName(value), node: value });
      continue;
    }
    const call = value['FuncCall'] as Node | undefined;
    const fn = call && String(((call.funcname ?? []) as Node[]).at(-1)?.['String']?.sval ?? '');
    if (!call || !fn || !AGGREGATES.has(fn) || call.funcname.length > 1 || call.over || call.agg_filter || call.agg_order || call.agg_within_group) return null;
    const arg = call.agg_star ? null : call.args?.length === 1 ? columnOf(call.args[0]) : null;
    if (arg === null && !(call.agg_star && fn === 'count')) return null;
    aggregated = true;
    const argType = arg === null ? undefined : source.type(arg)!.typeOid;
    output.push({
      kind: 'aggregate',
      aggregate: {
        fn: fn as AggregateFunction,
        arg: arg === null ? null : source.expr(arg),
        ...(call.agg_distinct ? { distinct: true } : {}),
        ...(fn === 'sum' && argType !== undefined && SMALL_INTEGERS.has(argType) ? { bigint: true } : {}),
      },
      alias: `c${output.length}`,
    });
    types.push(fn === 'count' ? TypeOid.int8 : fn === 'sum' ? TypeOid.numeric : source.type(arg!)!.typeOid);
    targets.push({ name: target.name ?? fn, node: value });
  }
  if (output.length === 0) return null;

  const grouped: string[] = [];
  for (const item of (select.groupClause ?? []) as Node[]) {
    const position = item['A_Const']?.ival?.ival;
    const node = typeof position === 'number' ? targets[position - 1]?.node : item;
    const name = columnOf(node);
    if (name === null) return null;
    if (!grouped.includes(name)) grouped.push(name);
  }
  if ((aggregated || grouped.length > 0) && targets.some((t, i) => output[i]!.kind === 'expr' && !grouped.includes(columnOf(t.node)!))) return null;
  const having = select.havingClause ? toFragmentExpr(select.havingClause, { ...columns, aggregates: true }) : null;
  if (select.havingClause && (having === null || !(aggregated || grouped.length > 0))) return null;

  const orderBy: OrderItem[] = [];
  for (const item of (select.sortClause ?? []) as Node[]) {
    const sort = item['SortBy'] as Node;
    if (sort.sortby_dir === 'SORTBY_USING') return null;
    const index = outputIndex(sort.node as Node, targets, columnOf);
    if (index < 0 || !ORDERABLE.has(types[index]!)) return null;
    const descending = sort.sortby_dir === 'SORTBY_DESC';
    const nullsFirst = sort.sortby_nulls === 'SORTBY_NULLS_FIRST' || (sort.sortby_nulls !== 'SORTBY_NULLS_LAST' && descending);
    orderBy.push({ output: index, descending, nullsFirst });
  }

  const count = select.limitCount === undefined ? null : constantInt(select.limitCount);
  const offset = select.limitOffset === undefined ? 0n : constantInt(select.limitOffset);
  if ((select.limitCount !== undefined && count === null) || offset === null || offset > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return {
    fragment: { output, where, groupBy: grouped.map((name) => source.expr(name)), ...(having ? { having } : {}), orderBy, limit: count === null ? null : count + offset },
    offset: Number(offset),
  };
}

/** The output an ORDER BY item names: by position, by output name, or by repeating a target. */
function outputIndex(node: Node, targets: ReadonlyArray<{ name: string | undefined; node: Node }>, columnOf: (node: Node) => string | null): number {
  const position = node['A_Const']?.ival?.ival;
  if (typeof position === 'number') return position >= 1 && position <= targets.length ? position - 1 : -1;
  const fields = node['ColumnRef']?.fields as Node[] | undefined;
  if (fields?.length === 1) {
    const name = fields[0]!['String']?.sval;
    const named = targets.findIndex((t) => t.name === name);
    if (named >= 0) return named;
  }
  const column = columnOf(node);
  if (column !== null) {
    const same = targets.findIndex((t) => columnOf(t.node) === column);
    if (same >= 0) return same;
  }
  const shape = withoutLocations(node);
  return targets.findIndex((t) => withoutLocations(t.node) === shape);
}

function lastName(node: Node): string | undefined {
  return (node['ColumnRef']?.fields as Node[] | undefined)?.at(-1)?.['String']?.sval;
}

function withoutLocations(node: unknown): string {
  return JSON.stringify(node, (key, value) => (key === 'location' ? undefined : value));
}

export function constantInt(node: Node | undefined): bigint | null {
  const c = node?.['A_Const'] as Node | undefined;
  if (!c) return null;
  if (c.isnull) return null;
  if (c.ival) return BigInt(c.ival.ival ?? 0);
  if (Object.keys(c).every((k) => k === 'location')) return 0n;
  return null;
}
