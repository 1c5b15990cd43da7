/**
 * Whole-query pushdown: a query over one federated table whose WHERE leaves a single
 * partition, and which a fragment expresses entirely (plain columns, count/sum/min/max,
 * GROUP BY columns, ORDER BY outputs of types every engine orders alike, LIMIT/OFFSET),
 * runs at that partition's party as it stands; its rows go to the client as the party
 * sends them, with no work table and no second query at the gateway. DESIGN: "a query over
 * one party's public data needs no MPC at all and must run at the speed of that engine."
 */
import { TypeOid } from '../sql/types/index.js';
import type { AggregateFunction, Expr, Fragment, OrderItem, OutputItem } from './fragment.js';
import type { FederatedTable } from './federation.js';

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
 * The fragment answering `select` whole over `table` (referred to as `reference`), given
 * the fragment form of its entire WHERE minus the partition-key conjuncts (`where`), or
 * null when some part of the query needs the gateway.
 */
export function planWholeQuery(select: Node, table: FederatedTable, reference: string, where: Expr | null): WholeQuery | null {
  if (select.withClause || select.distinctClause || select.havingClause || select.windowClause?.length || select.groupingSets) return null;
  if (select.lockingClause?.length || select.intoClause || select.valuesLists || (select.op && select.op !== 'SETOP_NONE')) return null;
  if (select.limitOption && select.limitOption !== 'LIMIT_OPTION_COUNT' && select.limitOption !== 'LIMIT_OPTION_DEFAULT') return null;
  const stored = new Map(table.columns.filter((c) => c.name !== table.partitionKey).map((c) => [c.name, c]));
  const columnOf = (node: Node | undefined): string | null => {
    const fields = node?.['ColumnRef']?.fields as Node[] | undefined;
    if (!fields) return null;
    const parts = fields.map((f) => f['String']?.sval as string | undefined);
    const name = parts.length === 1 ? parts[0] : parts.length === 2 && parts[0] === reference ? parts[1] : undefined;
    return name !== undefined && stored.has(name) ? name : null;
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
      // `*` is every column in table order; the partition key is not stored at the party.
      if (table.partitionKey !== null || value['ColumnRef'].fields.length > 1) return null;
      for (const column of table.columns) {
        output.push({ kind: 'expr', expr: { kind: 'column', name: column.name }, alias: `c${output.length}` });
        types.push(column.typeOid);
        targets.push({ name: column.name, node: { ColumnRef: { fields: [{ String: { sval: column.name } }] } } });
      }
      continue;
    }
    const name = columnOf(value);
    if (name !== null) {
      output.push({ kind: 'expr', expr: { kind: 'column', name }, alias: `c${output.length}` });
      types.push(stored.get(name)!.typeOid);
      targets.push({ name: target.name ?? name, node: value });
      continue;
    }
    const call = value['FuncCall'] as Node | undefined;
    const fn = call && String(((call.funcname ?? []) as Node[]).at(-1)?.['String']?.sval ?? '');
    if (!call || !fn || !AGGREGATES.has(fn) || call.funcname.length > 1 || call.over || call.agg_filter || call.agg_order || call.agg_within_group) return null;
    const arg = call.agg_star ? null : call.args?.length === 1 ? columnOf(call.args[0]) : null;
    if (arg === null && !(call.agg_star && fn === 'count')) return null;
    aggregated = true;
    output.push({
      kind: 'aggregate',
      aggregate: { fn: fn as AggregateFunction, arg: arg === null ? null : { kind: 'column', name: arg }, ...(call.agg_distinct ? { distinct: true } : {}) },
      alias: `c${output.length}`,
    });
    types.push(fn === 'count' ? TypeOid.int8 : fn === 'sum' ? TypeOid.numeric : stored.get(arg!)!.typeOid);
    targets.push({ name: target.name ?? fn, node: value });
  }
  if (output.length === 0) return null;

  const groupBy: Expr[] = [];
  for (const item of (select.groupClause ?? []) as Node[]) {
    const position = item['A_Const']?.ival?.ival;
    const node = typeof position === 'number' ? targets[position - 1]?.node : item;
    const name = columnOf(node);
    if (name === null) return null;
    groupBy.push({ kind: 'column', name });
  }
  if ((aggregated || groupBy.length > 0) && output.some((o) => o.kind === 'expr' && !groupBy.some((g) => g.kind === 'column' && o.expr.kind === 'column' && g.name === o.expr.name))) {
    return null;
  }

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
    fragment: { output, where, groupBy, orderBy, limit: count === null ? null : count + offset },
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
