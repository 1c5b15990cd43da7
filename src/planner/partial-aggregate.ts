/**
 * Partial aggregation (Conclave's and Trino's split of an aggregate): over one federated
 * table, each party groups its own rows and returns one row per group with partial
 * aggregates — count, sum, min, max, and avg as sum and count — and the gateway combines
 * those rows: a count becomes the sum of counts, an avg the sum of sums over the sum of
 * counts (over a protected column, the compute parties divide: secure-mpc.ts). Only
 * aggregates that combine exactly are split; for any other the query keeps the plain path
 * (rows to the gateway).
 */
import { parseStatements } from '../sql/index.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { TypeOid } from '../sql/types/index.js';
import type { AggregateFunction, Expr, OutputItem } from './fragment.js';
import type { FederatedTable } from './federation.js';

type Node = Record<string, any>;

/** A column of the gateway's work table and where its values come from. */
export interface WorkColumn {
  name: string;
  typeOid: number;
  typmod: number;
}

export interface PartialAggregate {
  /** What each party returns: the grouping columns, then the partial aggregates. */
  output: OutputItem[];
  groupBy: string[];
  /** GROUP BY names the partition key: the work rows are then per partition (the gateway adds the key). */
  groupsByKey: boolean;
  /** The work table's columns after the partition key, in `output` order. */
  work: WorkColumn[];
  /** Aggregate call nodes of the query → the expression combining their partials. */
  replacements: Map<Node, Node>;
  /**
   * Set when an aggregate reads a protected column: then every partial aggregate is
   * secret-shared by the parties and only per-group totals are revealed (secure-aggregate.ts).
   */
  secure: SecurePartials | null;
}

export interface SecurePartials {
  /** Output indexes of the partial aggregates. */
  secret: number[];
  /** Decimal digits kept of each, in the order of `secret`. */
  scales: number[];
  /** A sum's, min's or max's output index → the output index of its count (an all-NULL group gives NULL). */
  countOf: Map<number, number>;
  /**
   * How each partial combines across parties, in the order of `secret`: 'add' (count,
   * sum: additive sharing suffices), 'min' or 'max' (secure comparisons: the replicated
   * three-party runtime, secure-mpc.ts).
   */
  kinds: Array<'add' | 'min' | 'max'>;
  /**
   * The range every MIN/MAX partial lies in, [−2^(bits−1), 2^(bits−1)), from its column's
   * type: secure comparisons within it are several times cheaper than over all 64 bits.
   */
  bits: number;
  /**
   * Positions in `secret` of the counts kept only to tell an empty group (NULL): the
   * replicated runtime reveals them as nonzero flags, not as counts.
   */
  nonzero: number[];
  /** AVGs, as positions in `secret` of their sum and count: revealed as the quotient alone (average.ts). */
  averages: Array<{ sum: number; count: number }>;
  /** Every average's magnitude is below 2^averageBits: its column type's range. */
  averageBits: number;
}

/**
 * The width of a type's values as the secure runtime holds them (integers, days,
 * fixed-point decimals scaled by their scale): int2 16, int4 and date 32 (days since
 * 1970 fit in 32 bits), numeric(p, s) enough for 10^p, anything else 64.
 */
export function comparisonBits(type: { typeOid: number; typmod: number }): number {
  if (type.typeOid === TypeOid.int2) return 16;
  if (type.typeOid === TypeOid.int4 || type.typeOid === TypeOid.date) return 32;
  const precision = numericTypmod(type)?.precision ?? 0;
  if (precision >= 1 && precision <= 18) return Math.min(64, Math.ceil(precision * Math.log2(10)) + 1);
  return 64;
}

/** A numeric column's declared precision and scale, or null (another type, or numeric without a typmod). */
function numericTypmod(type: { typeOid: number; typmod: number }): { precision: number; scale: number } | null {
  if (type.typeOid !== TypeOid.numeric || type.typmod < 4) return null;
  return { precision: ((type.typmod - 4) >> 16) & 0xffff, scale: (type.typmod - 4) & 0xffff };
}

const SPLIT: ReadonlySet<string> = new Set(['count', 'sum', 'min', 'max', 'avg']);
/** Aggregates that do not combine from partials: their presence keeps the plain path. */
const NOT_SPLIT: ReadonlySet<string> = new Set([
  'array_agg', 'string_agg', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg', 'xmlagg',
  'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp',
  'bool_and', 'bool_or', 'every', 'bit_and', 'bit_or', 'bit_xor',
  'corr', 'covar_pop', 'covar_samp', 'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy',
  'percentile_cont', 'percentile_disc', 'mode', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'grouping',
]);

/** Integer types whose sum PostgreSQL types as bigint. */
export const SMALL_INTEGERS: ReadonlySet<number> = new Set<number>([TypeOid.int2, TypeOid.int4]);

/** What the aggregated rows are: one federated table, or a join pushed down to the parties. */
export interface AggregateSource {
  /** The column a ColumnRef node of the query names (by the name its fragment output gets), or null. */
  column(node: Node | undefined): string | null;
  type(name: string): { typeOid: number; typmod: number } | undefined;
  /** A partition key: its value is the gateway's, never a party's output. */
  isKey(name: string): boolean;
  isProtected(name: string): boolean;
  /** How the fragment reads the column. */
  expr(name: string): Expr;
}

/** One federated table, referred to as `reference` in the query. */
export function tableSource(table: FederatedTable, reference: string): AggregateSource {
  const type = (name: string): { typeOid: number; typmod: number } | undefined => {
    const column = table.columns.find((c) => c.name === name);
    return column && { typeOid: column.typeOid, typmod: column.typmod };
  };
  return {
    column(node) {
      const fields = node?.['ColumnRef']?.fields as Node[] | undefined;
      if (!fields) return null;
      const parts = fields.map((f) => f['String']?.sval as string | undefined);
      const name = parts.length === 1 ? parts[0] : parts.length === 2 && parts[0] === reference ? parts[1] : undefined;
      return name !== undefined && type(name) ? name : null;
    },
    type,
    isKey: (name) => name === table.partitionKey,
    isProtected: (name) => table.columns.some((c) => c.name === name && c.protected),
    expr: (name) => ({ kind: 'column', name }),
  };
}

/**
 * The split of `select`'s aggregation over `source`, or null when the query is not a
 * grouping/aggregate query over it that splits exactly.
 */
export function planPartialAggregate(select: Node, source: AggregateSource): PartialAggregate | null {
  if (select.groupingSets || select.windowClause?.length) return null;
  const calls: Node[] = [];
  let splittable = true;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const n = node as Node;
    if (n['SubLink'] || n['SelectStmt']) {
      splittable = false;
      return;
    }
    const call = n['FuncCall'] as Node | undefined;
    if (call) {
      const name = funcName(call);
      if (call.over) splittable = false;
      else if (SPLIT.has(name) && (call.agg_star || call.args?.length === 1)) {
        if (call.agg_distinct || call.agg_filter || call.agg_order || call.agg_within_group) splittable = false;
        calls.push(n);
        return;
      } else if (NOT_SPLIT.has(name)) splittable = false;
    }
    Object.values(n).forEach(visit);
  };
  visit([select.targetList, select.havingClause, select.sortClause]);
  const groupClause = (select.groupClause ?? []) as Node[];
  if (!splittable || (calls.length === 0 && groupClause.length === 0)) return null;

  const columnType = (name: string): { typeOid: number; typmod: number } | undefined => source.type(name);
  const columnOf = (node: Node | undefined): string | null => source.column(node);

  const groupBy: string[] = [];
  let groupsByKey = false;
  for (const item of groupClause) {
    const position = item['A_Const']?.ival?.ival;
    const target = typeof position === 'number' ? (select.targetList?.[position - 1]?.['ResTarget']?.val as Node | undefined) : item;
    const name = columnOf(target);
    if (name === null) return null;
    if (source.isKey(name)) groupsByKey = true;
    else if (!groupBy.includes(name)) groupBy.push(name);
  }

  const isProtected = (name: string | null): boolean => name !== null && source.isProtected(name);
  const secure = calls.some((node) => !node['FuncCall'].agg_star && isProtected(columnOf(node['FuncCall'].args[0])));
  if (secure && groupBy.some(isProtected)) {
    throw new PgError(SqlState.insufficientPrivilege, 'a protected column cannot be a grouping key', {
      detail: 'Group keys are revealed; protected columns may only be aggregated under secure computation.',
    });
  }
  const secret: number[] = [];
  const scales: number[] = [];
  const countOf = new Map<number, number>();
  const kinds: Array<'add' | 'min' | 'max'> = [];
  const nonzero: number[] = [];
  const averages: Array<{ sum: number; count: number }> = [];
  let bits: number | null = null;
  let averageBits = 2;
  const output: OutputItem[] = groupBy.map((name) => ({ kind: 'expr', expr: source.expr(name), alias: name }));
  const work: WorkColumn[] = groupBy.map((name) => ({ name, ...columnType(name)! }));
  const replacements = new Map<Node, Node>();
  /** `workType`: the work column's type when it differs from the partial's (a secure AVG's quotient is float8). */
  const partial = (fn: AggregateFunction, arg: string | null, type: { typeOid: number; typmod: number }, workType = type): string => {
    const alias = `c2d_partial_${output.length}`;
    if (secure) {
      secret.push(output.length);
      kinds.push(fn === 'min' || fn === 'max' ? fn : 'add');
      if (fn === 'min' || fn === 'max') bits = Math.max(bits ?? 2, comparisonBits(type));
      scales.push(numericTypmod(type)?.scale ?? 0);
    }
    // A sum of small integers is bigint, as in PostgreSQL (sumType int8): so it arrives from every engine.
    const bigint = fn === 'sum' && type.typeOid === TypeOid.int8 && arg !== null && SMALL_INTEGERS.has(columnType(arg)!.typeOid);
    output.push({ kind: 'aggregate', aggregate: { fn, arg: arg === null ? null : source.expr(arg), ...(bigint ? { bigint } : {}) }, alias });
    work.push({ name: alias, ...workType });
    return alias;
  };
  const index = (alias: string): number => output.findIndex((o) => o.alias === alias);
  /** A secure partial's position among the secret ones. */
  const position = (alias: string): number => secret.indexOf(index(alias));
  /** The count beside a secure sum, min, max or avg: only to tell NULL, so revealed as a flag. */
  const emptyCheck = (of: string, arg: string | null): string => {
    const c = partial('count', arg, count);
    countOf.set(index(of), index(c));
    nonzero.push(position(c));
    return c;
  };
  const count = { typeOid: TypeOid.int8, typmod: -1 };
  for (const node of calls) {
    const call = node['FuncCall'] as Node;
    const fn = funcName(call);
    const arg = call.agg_star ? null : columnOf(call.args[0]);
    if (!call.agg_star && (arg === null || source.isKey(arg))) return null;
    const type = arg === null ? count : columnType(arg)!;
    let combined: string;
    switch (fn) {
      case 'count':
        combined = `coalesce(sum(${partial('count', arg, count)}), 0)::int8`;
        break;
      case 'sum': {
        const sumType = partialSumType(type);
        if (!sumType || (secure && !SECURE_SUMMABLE.has(type.typeOid))) return secure ? notUnderMpc(`sum(${arg})`) : null;
        const a = partial('sum', arg, sumType);
        if (secure) emptyCheck(a, arg);
        combined = SMALL_INTEGERS.has(type.typeOid) ? `sum(${a})::int8` : `sum(${a})`;
        break;
      }
      case 'min':
      case 'max':
        if (secure && (arg === null || !SECURE_SUMMABLE.has(type.typeOid))) return notUnderMpc(`${fn}(${arg})`);
        {
          const m = partial(fn, arg, type);
          if (secure) emptyCheck(m, arg);
          combined = `${fn}(${m})`;
        }
        break;
      case 'avg': {
        const sumType = partialSumType(type);
        if (!sumType || arg === null || (secure && !SECURE_SUMMABLE.has(type.typeOid))) return secure ? notUnderMpc(`avg(${arg})`) : null;
        if (secure) {
          // Divided under MPC: the gateway gets the average (float8) and an empty flag, not SUM and COUNT.
          const s = partial('sum', arg, sumType, { typeOid: TypeOid.float8, typmod: -1 });
          averages.push({ sum: position(s), count: position(emptyCheck(s, arg)) });
          averageBits = Math.max(averageBits, comparisonBits(type));
          combined = `sum(${s})`;
          break;
        }
        const s = partial('sum', arg, sumType);
        const c = partial('count', arg, count);
        combined = `sum(${s})::float8 / nullif(sum(${c}), 0)`;
        break;
      }
      default:
        return null;
    }
    replacements.set(node, expression(combined));
  }
  return { output, groupBy, groupsByKey, work, replacements, secure: secure ? { secret, scales, countOf, kinds, bits: bits ?? 64, nonzero, averages, averageBits } : null };
}

/** Column types a secure sum handles exactly (64-bit ring, decimals as fixed point). */
const SECURE_SUMMABLE: ReadonlySet<number> = new Set([TypeOid.int2, TypeOid.int4, TypeOid.int8, TypeOid.numeric]);

function notUnderMpc(what: string): never {
  throw new PgError(SqlState.featureNotSupported, `${what} over a protected column is not supported under secure computation yet`, {
    hint: 'count, sum, avg, min and max of integer and numeric protected columns, grouped by public columns, run securely.',
  });
}

/** Whether a function name is an aggregate this planner knows (split or not). */
export function isAggregateName(name: string): boolean {
  return SPLIT.has(name) || NOT_SPLIT.has(name);
}

function funcName(call: Node): string {
  return String(((call.funcname ?? []) as Node[]).map((n) => n['String']?.sval).at(-1) ?? '');
}

/** PostgreSQL's result type of sum() over a column type, as a partial that combines exactly. */
function partialSumType(type: { typeOid: number; typmod: number }): { typeOid: number; typmod: number } | null {
  switch (type.typeOid) {
    case TypeOid.int2:
    case TypeOid.int4:
      return { typeOid: TypeOid.int8, typmod: -1 };
    case TypeOid.int8:
      return { typeOid: TypeOid.numeric, typmod: (38 << 16) + 4 };
    case TypeOid.numeric: {
      // Keep the column's scale: sum(numeric(10,2)) has two decimals in PostgreSQL.
      const scale = numericTypmod(type)?.scale ?? 10;
      return { typeOid: TypeOid.numeric, typmod: ((38 << 16) | scale) + 4 };
    }
    case TypeOid.float4:
    case TypeOid.float8:
      return { typeOid: TypeOid.float8, typmod: -1 };
    default:
      return null;
  }
}

/** The parse tree of an expression written by this module (only its own generated names). */
function expression(sql: string): Node {
  const [statement] = parseStatements(`SELECT ${sql}`);
  return (statement!.ast as Node)['SelectStmt'].targetList[0]['ResTarget'].val as Node;
}
