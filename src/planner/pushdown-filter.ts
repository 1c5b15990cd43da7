/**
 * Which parts of a query's WHERE clause a party can evaluate itself: the conjuncts that
 * read only one table's columns and use only what every dialect expresses the same way
 * (fragment.ts). Each is converted to a fragment expression; anything else stays at the
 * gateway. Pushing a conjunct down is all or nothing, as in Trino's applyFilter.
 */
import type { ComparisonOp, Expr, Literal } from './fragment.js';
import { integerTypeOids, textTypeOids, TypeOid } from '../sql/types/index.js';

type Node = Record<string, any>;

/** The table a conjunct may be pushed to: its alias (or name) and its columns. */
export interface PushdownTarget {
  /** The range variable's alias, or its name when it has none. */
  readonly reference: string;
  /** Column name → PostgreSQL type OID. */
  readonly columns: ReadonlyMap<string, number>;
  /** Whether unqualified column names are unambiguous in the query (one table in FROM). */
  readonly soleTable: boolean;
  /**
   * Several joined tables by alias, for a fragment that joins them: a column is then
   * resolved among them (an unqualified name must belong to exactly one) and names its table.
   */
  readonly tables?: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/** Splits a boolean expression into its top-level AND-ed parts. */
export function conjuncts(where: Node | null | undefined): Node[] {
  if (!where) return [];
  const bool = where['BoolExpr'];
  if (bool && bool.boolop === 'AND_EXPR') return (bool.args as Node[]).flatMap(conjuncts);
  return [where];
}

/** The fragment form of `node` when the target table can evaluate it alone, else null. */
export function toFragmentExpr(node: Node, target: PushdownTarget): Expr | null {
  try {
    return convert(node, target);
  } catch (error) {
    if (error instanceof NotPushable) return null;
    throw error;
  }
}

class NotPushable extends Error {}

function fail(): never {
  throw new NotPushable();
}

const COMPARISONS: ReadonlySet<string> = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);

function convert(node: Node, t: PushdownTarget): Expr {
  const [type, f] = Object.entries(node)[0] ?? fail();
  switch (type) {
    case 'ColumnRef':
      return column(f, t);
    case 'A_Const':
      return { kind: 'literal', value: constant(f) };
    case 'TypeCast':
      return typedConstant(f);
    case 'BoolExpr': {
      const args = (f.args as Node[]).map((a) => convert(a, t));
      if (f.boolop === 'AND_EXPR') return { kind: 'and', args };
      if (f.boolop === 'OR_EXPR') return { kind: 'or', args };
      if (f.boolop === 'NOT_EXPR' && args.length === 1) return { kind: 'not', arg: args[0]! };
      return fail();
    }
    case 'NullTest':
      return { kind: 'is-null', arg: convert(f.arg, t), negated: f.nulltesttype === 'IS_NOT_NULL' };
    case 'A_Expr':
      return expression(f, t);
    case 'CoalesceExpr':
      return { kind: 'call', fn: 'coalesce', args: (f.args as Node[]).map((a) => convert(a, t)) };
    case 'FuncCall': {
      const name = (f.funcname as Node[]).map((n) => n['String']?.sval).at(-1);
      if (f.agg_star || f.agg_distinct || f.over || !['lower', 'upper', 'length', 'abs', 'coalesce'].includes(name)) return fail();
      return { kind: 'call', fn: name, args: ((f.args ?? []) as Node[]).map((a) => convert(a, t)) };
    }
    default:
      return fail();
  }
}

function expression(f: Node, t: PushdownTarget): Expr {
  const name = ((f.name ?? []) as Node[]).map((n) => n['String']?.sval).at(-1) as string | undefined;
  switch (f.kind) {
    case 'AEXPR_OP': {
      if (!name || !f.lexpr) return fail();
      const left = convert(f.lexpr, t);
      const right = convert(f.rexpr, t);
      if (COMPARISONS.has(name)) {
        const op = (name === '!=' ? '<>' : name) as ComparisonOp;
        return { kind: 'compare', op, left: coerce(left, right, t), right: coerce(right, left, t) };
      }
      if (name === '+' || name === '-' || name === '*' || name === '%') return arithmetic(name, coerce(left, right, t), coerce(right, left, t), t);
      return fail();
    }
    case 'AEXPR_IN': {
      const values = (f.rexpr?.['List']?.items ?? fail()) as Node[];
      const arg = convert(f.lexpr, t);
      return { kind: 'in', arg, values: values.map((v) => coerce(convert(v, t), arg, t)), negated: name === '<>' };
    }
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
      return {
        kind: 'like',
        arg: convert(f.lexpr, t),
        pattern: convert(f.rexpr, t),
        negated: name === '!~~' || name === '!~~*',
        caseInsensitive: f.kind === 'AEXPR_ILIKE',
      };
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN': {
      const [low, high] = (f.rexpr?.['List']?.items ?? fail()) as Node[];
      const arg = convert(f.lexpr, t);
      return {
        kind: 'between',
        arg,
        low: coerce(convert(low!, t), arg, t),
        high: coerce(convert(high!, t), arg, t),
        negated: f.kind === 'AEXPR_NOT_BETWEEN',
      };
    }
    default:
      return fail();
  }
}

/**
 * Arithmetic as PostgreSQL types it. date ± integer is a date in every engine, and date -
 * date an integer number of days, which gets its own node (engines spell it differently).
 * Anything else on a date, and any arithmetic on a timestamp (an interval in PostgreSQL, or
 * an error), stays at the gateway.
 */
function arithmetic(op: '+' | '-' | '*' | '%', left: Expr, right: Expr, t: PushdownTarget): Expr {
  const l = typeOf(left, t);
  const r = typeOf(right, t);
  if (TIMESTAMPS.has(l) || TIMESTAMPS.has(r)) return fail();
  if (l === TypeOid.date && r === TypeOid.date && op === '-') return { kind: 'date-diff', left, right };
  if (l === TypeOid.date || r === TypeOid.date) {
    const other = l === TypeOid.date ? r : l;
    if (!integerTypeOids.has(other) || op === '*' || op === '%' || (op === '-' && r === TypeOid.date)) return fail();
  }
  return { kind: 'arithmetic', op, left, right };
}

const TIMESTAMPS: ReadonlySet<number> = new Set([TypeOid.timestamp, TypeOid.timestamptz]);

/**
 * The PostgreSQL type of a fragment expression, as far as pushdown needs it (dates,
 * timestamps, integers); 0 when unknown, or for an untyped literal.
 */
function typeOf(e: Expr, t: PushdownTarget): number {
  switch (e.kind) {
    case 'column':
      return (e.table === undefined ? t.columns : t.tables!.get(e.table)!).get(e.name) ?? 0;
    case 'literal':
      if (e.type !== undefined) return { date: TypeOid.date, timestamp: TypeOid.timestamp, timestamptz: TypeOid.timestamptz, numeric: TypeOid.numeric }[e.type];
      return typeof e.value === 'number' && Number.isInteger(e.value) ? TypeOid.int4 : 0;
    case 'date-diff':
      return TypeOid.int4;
    case 'arithmetic': {
      const l = typeOf(e.left, t);
      const r = typeOf(e.right, t);
      if (l === TypeOid.date || r === TypeOid.date) return TypeOid.date;
      if (l === r) return l;
      // numeric with an integer is numeric; integers of two widths, the wider.
      if ((l === TypeOid.numeric && integerTypeOids.has(r)) || (r === TypeOid.numeric && integerTypeOids.has(l))) return TypeOid.numeric;
      if (integerTypeOids.has(l) && integerTypeOids.has(r)) return l === TypeOid.int8 || r === TypeOid.int8 ? TypeOid.int8 : TypeOid.int4;
      return 0;
    }
    default:
      return 0;
  }
}

/**
 * A quoted literal compared with a column takes the column's type in PostgreSQL. Engines
 * differ in how they coerce text, so the type is made explicit here, or the conjunct
 * stays at the gateway when the text is not a plain value of that type.
 */
function coerce(side: Expr, other: Expr, t: PushdownTarget): Expr {
  if (side.kind !== 'literal' || side.type !== undefined || typeof side.value !== 'string') return side;
  const oid = typeOf(other, t);
  // Against an expression of unknown type the literal stays as it was written.
  if (oid === 0 && other.kind !== 'column') return side;
  const value = side.value;
  if (textTypeOids.has(oid)) return side;
  if (oid === TypeOid.date && DATE.test(value)) return { kind: 'literal', value, type: 'date' };
  if (oid === TypeOid.timestamp && (DATE.test(value) || TIMESTAMP.test(value))) return { kind: 'literal', value, type: 'timestamp' };
  if (oid === TypeOid.timestamptz && TIMESTAMP_WITH_ZONE.test(value)) return { kind: 'literal', value, type: 'timestamptz' };
  if (oid === TypeOid.numeric && DECIMAL.test(value)) return { kind: 'literal', value, type: 'numeric' };
  if (integerTypeOids.has(oid) && /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) return { kind: 'literal', value: Number(value) };
  return fail();
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/**
 * Up to microseconds: a finer fraction is rounded by PostgreSQL and truncated by Spark, so
 * such a literal stays at the gateway.
 */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;
/** Only with an explicit offset: without one, the meaning depends on each engine's zone. */
const TIMESTAMP_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([+-]\d{2}(:?\d{2})?|Z)$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

function column(f: Node, t: PushdownTarget): Expr {
  const parts = (f.fields as Node[]).map((p) => p['String']?.sval as string | undefined);
  if (parts.some((p) => p === undefined)) return fail();
  const [qualifier, name] = parts.length === 1 ? [null, parts[0]!] : parts.length === 2 ? [parts[0]!, parts[1]!] : fail();
  if (t.tables) {
    const owners = qualifier === null ? [...t.tables].filter(([, columns]) => columns.has(name)).map(([alias]) => alias) : [qualifier];
    if (owners.length !== 1 || !t.tables.get(owners[0]!)?.has(name)) return fail();
    return { kind: 'column', name, table: owners[0]! };
  }
  if (qualifier === null ? !t.soleTable : qualifier !== t.reference) return fail();
  if (!t.columns.has(name)) return fail();
  return { kind: 'column', name };
}

function constant(f: Node): Literal {
  if (f.isnull) return null;
  if (f.sval) return String(f.sval.sval ?? '');
  if (f.ival) return Number(f.ival.ival ?? 0);
  if (f.boolval) return Boolean(f.boolval.boolval);
  if (f.fval) return fail(); // decimals need their type: only as 'x'::numeric
  if (Object.keys(f).every((k) => k === 'location')) return 0;
  return fail();
}

/** 'x'::date, '…'::timestamptz, '1.5'::numeric: literals whose type is spelled out. */
function typedConstant(f: Node): Expr {
  const arg = f.arg?.['A_Const'];
  const typeName = ((f.typeName?.names ?? []) as Node[]).map((n) => n['String']?.sval).at(-1);
  if (!arg || f.typeName?.arrayBounds) return fail();
  // libpg-query leaves out a zero integer's value entirely.
  const zero = Object.keys(arg).every((k) => k === 'location');
  const value = arg.sval ? String(arg.sval.sval ?? '') : arg.fval ? String(arg.fval.fval) : arg.ival ? String(arg.ival.ival ?? 0) : zero ? '0' : fail();
  switch (typeName) {
    case 'date':
      return DATE.test(value) ? { kind: 'literal', value, type: 'date' } : fail();
    case 'timestamp':
      return DATE.test(value) || TIMESTAMP.test(value) ? { kind: 'literal', value, type: 'timestamp' } : fail();
    case 'timestamptz':
      return TIMESTAMP_WITH_ZONE.test(value) ? { kind: 'literal', value, type: 'timestamptz' } : fail();
    case 'numeric':
      return DECIMAL.test(value) ? { kind: 'literal', value, type: 'numeric' } : fail();
    case 'text':
    case 'varchar':
      return { kind: 'literal', value };
    case 'int4':
    case 'int8':
      return /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? { kind: 'literal', value: Number(value) } : fail();
    default:
      return fail();
  }
}
