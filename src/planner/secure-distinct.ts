/**
 * Distinct counts of a protected key across the partitions of a federated table — the
 * DESIGN's "how many distinct patients were seen at more than one hospital" — in the SQL
 * a user writes:
 *
 *   SELECT count(DISTINCT national_id) FROM patients [WHERE …]
 *       → the number of distinct keys over all partitions;
 *   SELECT count(*) FROM (SELECT national_id FROM patients [WHERE …]
 *                         GROUP BY national_id HAVING count(DISTINCT party) > 1) t
 *       → the number of keys present at two partitions or more (`>= 2` too), where
 *         `party` is the table's partition key.
 *
 * Both run under MPC (secure-mpc.ts, an oblivious sort of every party's hashed keys); only
 * the counts are revealed, to the gateway. Recognised only when the key column is
 * protected (a public key takes the plain path) and the WHERE reads public columns or the
 * partition key.
 */
import type { PreparedQuery, QueryAst, QueryRunner } from '../engine/query-runner.js';
import { parseStatements, type SessionValues } from '../sql/index.js';
import type { PartyDirectory } from './federation.js';
import { plannedComputeParties, secureDistinctCount } from './secure-mpc.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { Expr } from './fragment.js';
import type { FederatedPartition, FederatedTable, FederationView } from './federation.js';
import { partitionTest, type PartitionTest } from './partition-pruning.js';
import { conjuncts, toFragmentExpr } from './pushdown-filter.js';

type Node = Record<string, any>;

export interface SecureDistinctPlan {
  table: FederatedTable;
  column: string;
  where: Expr | null;
  prune: PartitionTest[];
  /** The one result row: each output column's name and which count it is. */
  outputs: Array<{ name: string; count: 'union' | 'atLeastTwo' }>;
}

export function planSecureDistinct(query: QueryAst, view: FederationView): SecureDistinctPlan | null {
  if (JSON.stringify(query).includes('"ParamRef"')) return null;
  const top = (query as Node)['SelectStmt'] as Node | undefined;
  if (!top || !plainSelect(top) || top.groupClause || top.havingClause) return null;
  const from = (top.fromClause ?? []) as Node[];
  const sub = from.length === 1 ? (from[0]!['RangeSubselect'] as Node | undefined) : undefined;
  if (!sub) return unionCount(top, view);
  if (sub.lateral || top.whereClause) return null;
  const targets = (top.targetList ?? []) as Node[];
  if (targets.length === 0 || !targets.every((t) => isCall(t['ResTarget']?.val, 'count') && t['ResTarget'].val['FuncCall'].agg_star)) return null;
  const inner = sub.subquery?.['SelectStmt'] as Node | undefined;
  if (!inner || !plainSelect(inner)) return null;
  const source = tableOf(inner, view);
  if (!source) return null;
  const innerTargets = (inner.targetList ?? []) as Node[];
  const groups = (inner.groupClause ?? []) as Node[];
  if (innerTargets.length !== 1 || groups.length !== 1) return null;
  const column = source.columnOf(innerTargets[0]!['ResTarget']?.val);
  if (column === null || source.columnOf(groups[0]) !== column || !source.isProtectedKey(column)) return null;
  if (!atMoreThanOne(inner.havingClause, source)) return null;
  return { ...source.filter(inner.whereClause), table: source.table, column, outputs: targets.map((t) => ({ name: t['ResTarget'].name ?? 'count', count: 'atLeastTwo' })) };
}

/** The union count over the partitions of `partitions` that pass the plan's pruning. */
export function contributingPartitions(plan: SecureDistinctPlan): FederatedPartition[] {
  return plan.table.partitions.filter((p) => plan.prune.every((test) => test(p.value, [])));
}

function unionCount(top: Node, view: FederationView): SecureDistinctPlan | null {
  const source = tableOf(top, view);
  if (!source) return null;
  const targets = (top.targetList ?? []) as Node[];
  let column: string | null = null;
  for (const t of targets) {
    const call = t['ResTarget']?.val;
    if (!isCall(call, 'count') || !call['FuncCall'].agg_distinct || call['FuncCall'].args?.length !== 1) return null;
    const c = source.columnOf(call['FuncCall'].args[0]);
    if (c === null || (column !== null && c !== column)) return null;
    column = c;
  }
  if (column === null || !source.isProtectedKey(column)) return null;
  return { ...source.filter(top.whereClause), table: source.table, column, outputs: targets.map((t) => ({ name: t['ResTarget'].name ?? 'count', count: 'union' })) };
}

/** A SELECT without set operations, DISTINCT, windows, ORDER BY, LIMIT, CTEs or locking. */
function plainSelect(s: Node): boolean {
  return (
    (s.op === undefined || s.op === 'SETOP_NONE') &&
    !s.distinctClause && !s.windowClause && !s.sortClause && !s.limitCount && !s.limitOffset && !s.withClause && !s.lockingClause && !s.valuesLists && !s.intoClause
  );
}

function isCall(node: Node | undefined, name: string): boolean {
  const call = node?.['FuncCall'] as Node | undefined;
  if (!call || call.over || call.agg_filter || call.agg_order || call.agg_within_group) return false;
  const names = ((call.funcname ?? []) as Node[]).map((n) => n['String']?.sval);
  return names.at(-1) === name && (names.length === 1 || names[0] === 'pg_catalog');
}

interface Source {
  table: FederatedTable;
  columnOf(node: Node | undefined): string | null;
  isProtectedKey(column: string): boolean;
  isPartitionKey(node: Node | undefined): boolean;
  filter(where: Node | undefined): { where: Expr | null; prune: PartitionTest[] };
}

/** The one federated table a SELECT reads, or null. */
function tableOf(select: Node, view: FederationView): Source | null {
  const from = (select.fromClause ?? []) as Node[];
  const range = from.length === 1 ? (from[0]!['RangeVar'] as Node | undefined) : undefined;
  if (!range) return null;
  const table = view.table(range.schemaname, range.relname);
  if (!table) return null;
  const reference: string = range.alias?.aliasname ?? range.relname;
  const columnOf = (node: Node | undefined): string | null => {
    const fields = node?.['ColumnRef']?.fields as Node[] | undefined;
    if (!fields) return null;
    const parts = fields.map((f) => f['String']?.sval as string | undefined);
    const name = parts.length === 1 ? parts[0] : parts.length === 2 && parts[0] === reference ? parts[1] : undefined;
    return name !== undefined && table.columns.some((c) => c.name === name) ? name : null;
  };
  return {
    table,
    columnOf,
    isProtectedKey: (column) => column !== table.partitionKey && table.columns.some((c) => c.name === column && c.protected),
    isPartitionKey: (node) => table.partitionKey !== null && columnOf(node) === table.partitionKey,
    filter(where) {
      const pushed: Expr[] = [];
      const prune: PartitionTest[] = [];
      const keyColumn = table.columns.find((c) => c.name === table.partitionKey);
      const types = new Map(table.columns.filter((c) => c.name !== table.partitionKey).map((c) => [c.name, c.typeOid]));
      for (const part of conjuncts(where)) {
        const test = keyColumn ? partitionTest(part, { reference, key: keyColumn.name, keyType: keyColumn.typeOid, soleTable: true }) : null;
        if (test) {
          prune.push(test);
          continue;
        }
        const expr = toFragmentExpr(part, { reference, columns: types, soleTable: true });
        if (!expr) {
          throw new PgError(SqlState.featureNotSupported, 'this filter cannot run at the parties in a secure distinct count', {
            hint: 'Filters of a secure distinct count compare public columns with constants, or name partitions.',
          });
        }
        pushed.push(expr);
      }
      return { where: pushed.length === 0 ? null : pushed.length === 1 ? pushed[0]! : { kind: 'and', args: pushed }, prune };
    },
  };
}

/** `count(DISTINCT <partition key>) > 1` or `>= 2`. */
function atMoreThanOne(having: Node | undefined, source: Source): boolean {
  const e = having?.['A_Expr'] as Node | undefined;
  if (!e || e.kind !== 'AEXPR_OP') return false;
  const op = ((e.name ?? []) as Node[]).map((n) => n['String']?.sval).at(-1);
  const call = e.lexpr as Node;
  if (!isCall(call, 'count') || !call['FuncCall'].agg_distinct || call['FuncCall'].args?.length !== 1 || !source.isPartitionKey(call['FuncCall'].args[0])) return false;
  const value = e.rexpr?.['A_Const']?.ival;
  const n = value === undefined ? undefined : (value.ival ?? 0);
  return (op === '>' && n === 1) || (op === '>=' && n === 2);
}

/**
 * The query as the gateway runs it: the counts come from the MPC run at open time, and
 * the gateway's DuckDB makes the one row (so types and names are PostgreSQL's).
 */
export async function prepareSecureDistinct(duck: QueryRunner, plan: SecureDistinctPlan, parties: PartyDirectory, session: SessionValues): Promise<PreparedQuery> {
  const rowQuery = (values: ReadonlyArray<bigint | null>): QueryAst => {
    const items = plan.outputs.map((o, i) => `${values[i] ?? 'NULL'}::int8 AS "${o.name.replace(/"/g, '""')}"`);
    return parseStatements(`SELECT ${items.join(', ')}`)[0]!.ast as QueryAst;
  };
  const shape = await duck.prepare(rowQuery([]), [], session);
  const fields = shape.fields;
  shape.close();
  return {
    paramTypes: [],
    fields,
    open: async (_params, signal) => {
      const counts = await secureDistinctCount({ partitions: contributingPartitions(plan), column: plan.column, where: plan.where }, parties);
      const prepared = await duck.prepare(rowQuery(plan.outputs.map((o) => counts[o.count])), [], session);
      const source = await prepared.open([], signal);
      return {
        fields,
        fetch: (maxRows, s) => source.fetch(maxRows, s),
        close: async () => {
          await source.close();
          prepared.close();
        },
      };
    },
    close: () => {},
  };
}

export function explainSecureDistinct(plan: SecureDistinctPlan, parties: PartyDirectory): string[] {
  const lines: string[] = [];
  const contributing = contributingPartitions(plan);
  for (const p of plan.table.partitions) {
    if (!contributing.includes(p)) lines.push(`Partition of ${plan.table.name} at party ${p.party}: pruned by the WHERE clause`);
    else lines.push(`Secure keys at party ${p.party}: distinct ${plan.column} of ${p.exportedTable}${plan.where ? ' (filtered at the party)' : ''}, hashed to 64 bits and split additively to the compute parties`);
  }
  const compute = plannedComputeParties(contributing, parties.secure?.mpc?.servers() ?? []);
  const wanted = [...new Set(plan.outputs.map((o) => (o.count === 'union' ? `count(DISTINCT ${plan.column})` : `keys at two or more partitions`)))];
  lines.push(
    `Secure distinct count (replicated 3-party secret sharing over Z_2^64: oblivious sort, then equality of neighbours) at compute parties ${compute.join(', ')}: ` +
      `reveals ${wanted.join(' and ')} to the gateway, and each party's number of distinct keys to the compute parties`,
  );
  return lines;
}
