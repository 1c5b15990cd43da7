/**
 * Join pushdown: an inner join of federated tables whose rows to be joined are always at
 * the same party runs as one fragment per party, on that party's engine, instead of
 * bringing every table's rows to the gateway. Two cases are co-located:
 * - every table has one partition, all at the same party (a single-party query), or
 * - every table is partitioned by a key, the join equates their keys
 *   (`d.party = m.party`), and each key value's partitions are all at one party: then each
 *   party joins its own partitions, and the key equality holds by construction.
 * The gateway gets the joined rows (the columns the query uses, under generated names) and
 * runs the rest of the query on them; its WHERE is re-applied there.
 */
import type { Expr, OutputItem } from './fragment.js';
import type { FederatedPartition, FederatedTable, FederationView } from './federation.js';
import { partitionTest, type PartitionTest } from './partition-pruning.js';
import { conjuncts, toFragmentExpr } from './pushdown-filter.js';
import type { AggregateSource } from './partial-aggregate.js';

type Node = Record<string, any>;

export interface JoinedTable {
  range: Node;
  table: FederatedTable;
  alias: string;
}

export interface JoinPushdown {
  tables: JoinedTable[];
  /** One unit per party: the partition of each table (in `tables` order) joined there. */
  units: JoinUnit[];
  /** Tests of the WHERE on a table's partition key: a unit whose partition fails one is not asked. */
  prune: Array<{ table: number; test: PartitionTest }>;
  /** The ON condition of each joined table after the first (key equalities left out). */
  on: Expr[];
  where: Expr | null;
  /** Whether `where` (with the key equalities) is the query's whole WHERE. */
  whereComplete: boolean;
  output: OutputItem[];
  /** The joined rows' columns: `${alias}__${column}`, the keys (filled per unit) included. */
  work: Array<{ name: string; typeOid: number; typmod: number; source: number | 'key' }>;
  /** ColumnRef nodes of the query → references to the joined rows' columns. */
  columnRefs: Map<Node, Node>;
}

export interface JoinUnit {
  party: string;
  partitions: FederatedPartition[];
}

export const JOIN_ALIAS = 'c2d_join';

/** The units the WHERE's partition-key conjuncts leave, with these parameters. */
export function unitsFor(join: JoinPushdown, params: readonly unknown[]): JoinUnit[] {
  return join.units.filter((unit) => join.prune.every(({ table, test }) => test(unit.partitions[table]!.value, params)));
}

export function planJoinPushdown(query: Node, view: FederationView, allRanges: readonly Node[]): JoinPushdown | null {
  const select = query['SelectStmt'] as Node | undefined;
  if (!select || (select.op && select.op !== 'SETOP_NONE') || !select.fromClause) return null;
  // The FROM clause: comma-separated tables, or one tree of inner joins with ON conditions.
  const leaves: Node[] = [];
  const onConditions: Node[] = [];
  const walk = (item: Node): boolean => {
    if (item['RangeVar']) return leaves.push(item['RangeVar']) > 0;
    const join = item['JoinExpr'] as Node | undefined;
    if (!join || join.jointype !== 'JOIN_INNER' || join.usingClause || join.isNatural || !join.quals || join.alias) return false;
    onConditions.push(...conjuncts(join.quals));
    return walk(join.larg) && walk(join.rarg);
  };
  if (!(select.fromClause as Node[]).every(walk) || leaves.length < 2 || leaves.length !== allRanges.length) return null;
  const tables: JoinedTable[] = [];
  for (const range of leaves) {
    const table = view.table(range.schemaname, range.relname);
    if (!table) return null;
    tables.push({ range, table, alias: range.alias?.aliasname ?? range.relname });
  }
  if (new Set(tables.map((t) => t.alias)).size !== tables.length) return null;

  const columnsOf = new Map(tables.map((t) => [t.alias, new Map(t.table.columns.filter((c) => c.name !== t.table.partitionKey).map((c) => [c.name, c.typeOid]))]));
  const target = { reference: '', columns: new Map<string, number>(), soleTable: false, tables: columnsOf };
  const isKeyEquality = (node: Node): [string, string] | null => {
    const e = node['A_Expr'] as Node | undefined;
    if (!e || e.kind !== 'AEXPR_OP' || e.name?.[0]?.['String']?.sval !== '=') return null;
    const side = (n: Node | undefined): string | null => {
      const parts = ((n?.['ColumnRef']?.fields ?? []) as Node[]).map((f) => f['String']?.sval as string | undefined);
      const t = parts.length === 2 ? tables.find((x) => x.alias === parts[0]) : undefined;
      return t && t.table.partitionKey !== null && t.table.partitionKey === parts[1] ? t.alias : null;
    };
    const [l, r] = [side(e.lexpr), side(e.rexpr)];
    return l && r && l !== r ? [l, r] : null;
  };

  // Co-location: which tables' keys are equated, and what each part of each table holds.
  const keyLinks: Array<[string, string]> = [];
  const pushedOn: Expr[] = [];
  for (const condition of onConditions) {
    const link = isKeyEquality(condition);
    if (link) {
      keyLinks.push(link);
      continue;
    }
    const expr = toFragmentExpr(condition, target);
    if (!expr) return null;
    pushedOn.push(expr);
  }
  const pushedWhere: Expr[] = [];
  const prune: JoinPushdown['prune'] = [];
  let whereComplete = true;
  for (const condition of conjuncts(select.whereClause)) {
    const link = isKeyEquality(condition);
    if (link) {
      keyLinks.push(link);
      continue;
    }
    // A test of one table's key decides per unit, exactly (partition-pruning.ts).
    const keyTest = tables
      .map((t, i) => {
        const key = t.table.columns.find((c) => c.name === t.table.partitionKey);
        const test = key ? partitionTest(condition, { reference: t.alias, key: key.name, keyType: key.typeOid, soleTable: false }) : null;
        return test && { table: i, test };
      })
      .find((x) => x !== null);
    if (keyTest) {
      prune.push(keyTest);
      continue;
    }
    const expr = toFragmentExpr(condition, target);
    if (expr) pushedWhere.push(expr);
    else whereComplete = false;
  }
  const units = colocatedUnits(tables, keyLinks);
  if (!units) return null;

  // The columns the query uses, by table; `*` is not rewritten. A bare name in ORDER BY
  // that is an output column's name means that output column, as in PostgreSQL.
  const columnRefs = new Map<Node, Node>();
  const used = new Map<string, Set<string>>(tables.map((t) => [t.alias, new Set()]));
  const outputNames = new Set(((select.targetList ?? []) as Node[]).map((t) => t['ResTarget']?.name as string | undefined).filter((n) => n !== undefined));
  const outputNamesInOrder = new Set<Node>();
  for (const item of (select.sortClause ?? []) as Node[]) {
    const ref = item['SortBy']?.node?.['ColumnRef'] as Node | undefined;
    if (ref?.fields?.length === 1 && outputNames.has(ref.fields[0]?.['String']?.sval)) outputNamesInOrder.add(ref);
  }
  let resolvable = true;
  const visit = (node: unknown): void => {
    if (!resolvable || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as Node;
    const ref = n['ColumnRef'] as Node | undefined;
    if (ref) {
      if (outputNamesInOrder.has(ref)) return;
      const parts = (ref.fields as Node[]).map((f) => f['String']?.sval as string | undefined);
      const owner =
        parts.length === 2
          ? tables.find((t) => t.alias === parts[0])
          : parts.length === 1
            ? single(tables.filter((t) => t.table.columns.some((c) => c.name === parts[0])))
            : undefined;
      const column = parts.at(-1);
      if (!owner || column === undefined || !owner.table.columns.some((c) => c.name === column)) {
        resolvable = false;
        return;
      }
      used.get(owner.alias)!.add(column);
      columnRefs.set(n, { ColumnRef: { fields: [{ String: { sval: JOIN_ALIAS } }, { String: { sval: `${owner.alias}__${column}` } }] } });
      return;
    }
    Object.entries(n).forEach(([key, value]) => {
      if (key !== 'fromClause') visit(value);
    });
  };
  visit(select);
  if (!resolvable) return null;

  const output: OutputItem[] = [];
  const work: JoinPushdown['work'] = [];
  for (const t of tables) {
    for (const column of t.table.columns) {
      if (column.name === t.table.partitionKey) {
        work.push({ name: `${t.alias}__${column.name}`, typeOid: column.typeOid, typmod: column.typmod, source: 'key' });
      } else if (used.get(t.alias)!.has(column.name)) {
        work.push({ name: `${t.alias}__${column.name}`, typeOid: column.typeOid, typmod: column.typmod, source: output.length });
        output.push({ kind: 'expr', expr: { kind: 'column', name: column.name, table: t.alias }, alias: `${t.alias}__${column.name}` });
      }
    }
  }
  if (output.length === 0) {
    const first = tables[0]!;
    const column = first.table.columns.find((c) => c.name !== first.table.partitionKey)!;
    output.push({ kind: 'expr', expr: { kind: 'column', name: column.name, table: first.alias }, alias: `${first.alias}__${column.name}` });
    work.push({ name: `${first.alias}__${column.name}`, typeOid: column.typeOid, typmod: column.typmod, source: 0 });
  }
  // Each joined table after the first carries the ON conditions whose columns it completes.
  const on = tables.slice(1).map(() => [] as Expr[]);
  for (const expr of pushedOn) {
    const last = Math.max(...[...tablesOf(expr)].map((alias) => tables.findIndex((t) => t.alias === alias)), 1);
    on[last - 1]!.push(expr);
  }
  const where = [...pushedWhere];
  return {
    tables,
    units,
    prune,
    on: on.map((parts) => (parts.length === 0 ? { kind: 'literal', value: true } : parts.length === 1 ? parts[0]! : { kind: 'and', args: parts })),
    where: where.length === 0 ? null : where.length === 1 ? where[0]! : { kind: 'and', args: where },
    whereComplete,
    output,
    work,
    columnRefs,
  };
}

function single<T>(items: T[]): T | undefined {
  return items.length === 1 ? items[0] : undefined;
}

function tablesOf(e: Expr, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'column') {
    if (e.table !== undefined) out.add(e.table);
    return out;
  }
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(walk);
    const n = x as Expr;
    if (n.kind === 'column') tablesOf(n, out);
    else Object.values(n).forEach(walk);
  };
  Object.values(e).forEach(walk);
  return out;
}

/** The parties where the tables' partitions meet, or null when the join is not co-located. */
function colocatedUnits(tables: readonly JoinedTable[], keyLinks: ReadonlyArray<[string, string]>): JoinUnit[] | null {
  // One partition each, all at one party, and no differing key values.
  if (tables.every((t) => t.table.partitions.length === 1)) {
    const parts = tables.map((t) => t.table.partitions[0]!);
    const keyed = parts.filter((_p, i) => tables[i]!.table.partitionKey !== null);
    if (new Set(parts.map((p) => p.party)).size === 1 && new Set(keyed.map((p) => p.value)).size <= 1) {
      return [{ party: parts[0]!.party, partitions: parts }];
    }
  }
  // Every table keyed, the key equalities connect them all, and each value lives at one party.
  if (tables.some((t) => t.table.partitionKey === null)) return null;
  const linked = new Set([tables[0]!.alias]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [a, b] of keyLinks) {
      if (linked.has(a) !== linked.has(b)) {
        linked.add(a);
        linked.add(b);
        grew = true;
      }
    }
  }
  if (linked.size !== tables.length) return null;
  const values = new Set(tables[0]!.table.partitions.map((p) => p.value));
  const units: JoinUnit[] = [];
  for (const value of values) {
    const parts = tables.map((t) => t.table.partitions.filter((p) => p.value === value));
    if (parts.some((p) => p.length !== 1)) return null;
    const partitions = parts.map((p) => p[0]!);
    if (new Set(partitions.map((p) => p.party)).size !== 1) return null;
    units.push({ party: partitions[0]!.party, partitions });
  }
  return units;
}

/** The joined rows as what partial aggregation reads: columns by their generated names. */
export function joinSource(join: JoinPushdown): AggregateSource {
  const columns = new Map<string, { alias: string; column: string; typeOid: number; typmod: number; key: boolean }>();
  for (const t of join.tables) {
    for (const c of t.table.columns) {
      columns.set(`${t.alias}__${c.name}`, { alias: t.alias, column: c.name, typeOid: c.typeOid, typmod: c.typmod, key: c.name === t.table.partitionKey });
    }
  }
  return {
    column(node) {
      const replaced = node && join.columnRefs.get(node);
      const name = replaced?.['ColumnRef']?.fields?.[1]?.['String']?.sval as string | undefined;
      return name !== undefined && columns.has(name) ? name : null;
    },
    type: (name) => columns.get(name),
    isKey: (name) => columns.get(name)?.key ?? false,
    isProtected: () => false,
    expr: (name) => ({ kind: 'column', name: columns.get(name)!.column, table: columns.get(name)!.alias }),
  };
}
