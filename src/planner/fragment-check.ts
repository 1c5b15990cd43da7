/**
 * A party's check of a fragment that arrived over the wire: the party treats the gateway's
 * bytes as hostile, so before a fragment reaches a dialect (which splices operator and
 * function names into SQL) every node kind, operator, function, literal and name is
 * checked against what fragment.ts allows, and nesting is bounded. Anything else is a
 * protocol violation (08P01) and nothing runs.
 */
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { columnsReadByTable, type Aggregate, type Expr, type Fragment, type FragmentJoin, type OrderItem, type OutputItem } from './fragment.js';

const MAX_DEPTH = 64;
const MAX_ITEMS = 10_000;
const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>=']);
const ARITHMETIC = new Set(['+', '-', '*', '%']);
const FUNCTIONS = new Set(['lower', 'upper', 'length', 'abs', 'coalesce']);
const AGGREGATES = new Set(['count', 'sum', 'min', 'max']);
const LITERAL_TYPES = new Set(['date', 'timestamp', 'timestamptz', 'numeric']);

type Obj = Record<string, unknown>;

function bad(what: string): never {
  throw new PgError(SqlState.protocolViolation, `malformed fragment: ${what}`);
}

function object(x: unknown, what: string): Obj {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) bad(`${what} is not an object`);
  return x as Obj;
}

function array(x: unknown, what: string): unknown[] {
  if (!Array.isArray(x) || x.length > MAX_ITEMS) bad(`${what} is not a list`);
  return x;
}

function name(x: unknown, what: string): string {
  if (typeof x !== 'string' || x.length === 0 || x.length > 255 || x.includes('\u0000')) bad(`${what} is not a name`);
  return x;
}

function bool(x: unknown, what: string): boolean {
  if (typeof x !== 'boolean') bad(`${what} is not a boolean`);
  return x;
}

export function checkFragment(x: unknown): Fragment {
  const f = object(x, 'fragment');
  const table = object(f['table'], 'table');
  if (typeof table['schema'] !== 'string') bad('table schema');
  name(table['name'], 'table name');
  const alias = f['alias'] === undefined ? undefined : name(f['alias'], 'alias');
  const joins = f['joins'] === undefined ? undefined : array(f['joins'], 'joins').map(join);
  if (joins && (joins.length > 8 || alias === undefined)) bad('joins');
  const aliases = new Set([alias, ...(joins ?? []).map((j) => j.alias)].filter((a) => a !== undefined));
  if (joins && aliases.size !== joins.length + 1) bad('join aliases');
  const output = array(f['output'], 'output').map(outputItem);
  if (output.length === 0) bad('empty output');
  const where = f['where'] === null ? null : expr(f['where'], 0);
  const groupBy = array(f['groupBy'], 'groupBy').map((g) => expr(g, 0));
  const having = f['having'] === undefined || f['having'] === null ? null : expr(f['having'], 0, true);
  if (having && groupBy.length === 0 && !output.some((o) => o.kind === 'aggregate')) bad('having without grouping');
  const orderBy = array(f['orderBy'], 'orderBy').map((o) => orderItem(o, output.length));
  const limit = f['limit'];
  if (limit !== null && (typeof limit !== 'bigint' || limit < 0n)) bad('limit');
  const fragment: Fragment = {
    table: { schema: table['schema'] as string, name: table['name'] as string },
    ...(alias === undefined ? {} : { alias }),
    ...(joins === undefined ? {} : { joins }),
    output,
    where,
    groupBy,
    ...(having ? { having } : {}),
    orderBy,
    limit: limit as bigint | null,
  };
  // A column names a table only in a fragment that joins, and then always one of its aliases.
  for (const [table] of columnsReadByTable(fragment)) {
    if (joins === undefined ? table !== '' : !aliases.has(table)) bad('column table');
  }
  return fragment;
}

function join(x: unknown): FragmentJoin {
  const j = object(x, 'join');
  const table = object(j['table'], 'join table');
  if (typeof table['schema'] !== 'string') bad('join table schema');
  return { table: { schema: table['schema'] as string, name: name(table['name'], 'join table name') }, alias: name(j['alias'], 'join alias'), on: expr(j['on'], 0) };
}

function outputItem(x: unknown): OutputItem {
  const o = object(x, 'output item');
  const alias = name(o['alias'], 'alias');
  if (o['kind'] === 'expr') return { kind: 'expr', expr: expr(o['expr'], 0), alias };
  if (o['kind'] !== 'aggregate') bad('output item kind');
  return { kind: 'aggregate', aggregate: aggregateOf(o['aggregate'], 0), alias };
}

/** An aggregate call; its argument holds no aggregate. */
function aggregateOf(x: unknown, depth: number): Aggregate {
  const a = object(x, 'aggregate');
  if (typeof a['fn'] !== 'string' || !AGGREGATES.has(a['fn'])) bad('aggregate function');
  const aggregate: Aggregate = {
    fn: a['fn'] as Aggregate['fn'],
    arg: a['arg'] === null ? null : expr(a['arg'], depth + 1),
    ...(a['distinct'] === undefined ? {} : { distinct: bool(a['distinct'], 'distinct') }),
    ...(a['bigint'] === undefined ? {} : { bigint: bool(a['bigint'], 'bigint') }),
  };
  if (aggregate.arg === null && aggregate.fn !== 'count') bad('only count takes *');
  if (aggregate.bigint !== undefined && aggregate.fn !== 'sum') bad('bigint on an aggregate other than sum');
  return aggregate;
}

function orderItem(x: unknown, outputs: number): OrderItem {
  const o = object(x, 'order item');
  const index = o['output'];
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= outputs) bad('order item output');
  return { output: index, descending: bool(o['descending'], 'descending'), nullsFirst: bool(o['nullsFirst'], 'nullsFirst') };
}

/** An expression; `aggregates`: it may contain aggregate calls (a HAVING condition). */
function expr(x: unknown, depth: number, aggregates = false): Expr {
  if (depth > MAX_DEPTH) bad('expression nested too deeply');
  const e = object(x, 'expression');
  const sub = (y: unknown): Expr => expr(y, depth + 1, aggregates);
  switch (e['kind']) {
    case 'column':
      return e['table'] === undefined ? { kind: 'column', name: name(e['name'], 'column') } : { kind: 'column', name: name(e['name'], 'column'), table: name(e['table'], 'column table') };
    case 'literal': {
      const v = e['value'];
      if (!(v === null || typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) bad('literal');
      if (e['type'] === undefined) return { kind: 'literal', value: v };
      if (typeof e['type'] !== 'string' || !LITERAL_TYPES.has(e['type'])) bad('literal type');
      return { kind: 'literal', value: v, type: e['type'] as 'date' };
    }
    case 'compare':
      if (typeof e['op'] !== 'string' || !COMPARISONS.has(e['op'])) bad('comparison operator');
      return { kind: 'compare', op: e['op'] as '=', left: sub(e['left']), right: sub(e['right']) };
    case 'arithmetic':
      if (typeof e['op'] !== 'string' || !ARITHMETIC.has(e['op'])) bad('arithmetic operator');
      return { kind: 'arithmetic', op: e['op'] as '+', left: sub(e['left']), right: sub(e['right']) };
    case 'date-diff':
      return { kind: 'date-diff', left: sub(e['left']), right: sub(e['right']) };
    case 'and':
    case 'or':
      return { kind: e['kind'], args: array(e['args'], 'arguments').map(sub) };
    case 'not':
      return { kind: 'not', arg: sub(e['arg']) };
    case 'is-null':
      return { kind: 'is-null', arg: sub(e['arg']), negated: bool(e['negated'], 'negated') };
    case 'in':
      return { kind: 'in', arg: sub(e['arg']), values: array(e['values'], 'values').map(sub), negated: bool(e['negated'], 'negated') };
    case 'like':
      return {
        kind: 'like',
        arg: sub(e['arg']),
        pattern: sub(e['pattern']),
        negated: bool(e['negated'], 'negated'),
        caseInsensitive: bool(e['caseInsensitive'], 'caseInsensitive'),
      };
    case 'between':
      return { kind: 'between', arg: sub(e['arg']), low: sub(e['low']), high: sub(e['high']), negated: bool(e['negated'], 'negated') };
    case 'call':
      if (typeof e['fn'] !== 'string' || !FUNCTIONS.has(e['fn'])) bad('function');
      return { kind: 'call', fn: e['fn'] as 'lower', args: array(e['args'], 'arguments').map(sub) };
    case 'aggregate':
      if (!aggregates) bad('an aggregate outside HAVING');
      return { kind: 'aggregate', aggregate: aggregateOf(e['aggregate'], depth) };
    default:
      return bad('expression kind');
  }
}
