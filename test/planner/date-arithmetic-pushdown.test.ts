/**
 * Date and timestamp arithmetic in a pushed-down WHERE: what becomes a fragment, what stays
 * at the gateway, and the SQL each dialect emits for it. PostgreSQL's date - date is an
 * integer number of days; in Spark it is an INTERVAL DAY, so Spark is sent datediff. (The
 * same fragments run on the real engines in fragment-dialects.test.ts and
 * spark-single-party.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDbDialect, PostgresDialect, SparkDialect, emitExpr } from '../../dialect/index.js';
import { checkFragment } from '../../src/planner/fragment-check.js';
import type { Expr, Fragment } from '../../src/planner/fragment.js';
import { conjuncts, toFragmentExpr } from '../../src/planner/pushdown-filter.js';
import { initSqlParser, parseStatements } from '../../src/sql/index.js';
import { TypeOid } from '../../src/sql/types/index.js';

const columns = new Map<string, number>([
  ['id', TypeOid.int4],
  ['big', TypeOid.int8],
  ['cost', TypeOid.numeric],
  ['seen', TypeOid.date],
  ['due', TypeOid.date],
  ['at', TypeOid.timestamptz],
  ['booked', TypeOid.timestamp],
  ['note', TypeOid.text],
]);
const target = { reference: 't', columns, soleTable: true };

beforeAll(async () => {
  await initSqlParser();
});

function pushed(where: string): Expr | null {
  const ast = parseStatements(`SELECT id FROM t WHERE ${where}`)[0]!.ast as Record<string, any>;
  const [part] = conjuncts(ast['SelectStmt'].whereClause);
  return toFragmentExpr(part!, target);
}

const spark = new SparkDialect();
const postgres = new PostgresDialect();
const duckdb = new DuckDbDialect();

describe('date arithmetic pushed down', () => {
  it.each([
    // [where, Spark, PostgreSQL]
    ["seen - DATE '2024-01-01' < 10", "(datediff(`seen`, CAST('2024-01-01' AS DATE)) < 10)", `(("seen" - CAST('2024-01-01' AS DATE)) < 10)`],
    ["seen - '2024-01-01' < 10", "(datediff(`seen`, CAST('2024-01-01' AS DATE)) < 10)", `(("seen" - CAST('2024-01-01' AS DATE)) < 10)`],
    ['due - seen >= id % 7', '(datediff(`due`, `seen`) >= (`id` % 7))', '(("due" - "seen") >= ("id" % 7))'],
    ["seen + 30 >= '2025-11-01'", "((`seen` + 30) >= CAST('2025-11-01' AS DATE))", `(("seen" + 30) >= CAST('2025-11-01' AS DATE))`],
    ["(seen + 30) - due BETWEEN '1' AND 40", '(datediff((`seen` + 30), `due`) BETWEEN 1 AND 40)', `((("seen" + 30) - "due") BETWEEN 1 AND 40)`],
    ["30 + seen IN ('2024-03-01', '2024-03-02')", "((30 + `seen`) IN (CAST('2024-03-01' AS DATE), CAST('2024-03-02' AS DATE)))", `((30 + "seen") IN (CAST('2024-03-01' AS DATE), CAST('2024-03-02' AS DATE)))`],
    ["cost * 3 > '3000.5'", '((`cost` * 3) > 3000.5)', '(("cost" * 3) > 3000.5)'],
    ["id + big = '12'", '((`id` + `big`) = 12)', '(("id" + "big") = 12)'],
  ])('%s', (where, sparkSql, postgresSql) => {
    const expr = pushed(where);
    expect(expr).not.toBeNull();
    expect(emitExpr(spark, expr!)).toBe(sparkSql);
    expect(emitExpr(postgres, expr!)).toBe(postgresSql);
    expect(emitExpr(duckdb, expr!)).toBe(postgresSql);
  });

  it.each([
    ['date + date, an error in PostgreSQL', 'seen + due IS NULL'],
    ['integer - date', "10 - seen < '2024-01-01'"],
    ['date * integer', 'seen * 2 IS NULL'],
    ['timestamp arithmetic (an interval in PostgreSQL)', "at - at IS NULL"],
    ['timestamp + integer', "booked + 1 > '2024-01-01'"],
    ['date + text that is not a number', "seen + '30' > '2024-01-01'"],
    ['a timestamp finer than microseconds (rounded by PostgreSQL, truncated by Spark)', "booked < '2024-01-02 03:00:00.1234567'"],
    ['a timestamptz finer than microseconds', "at < '2024-01-02 03:00:00.1234567+00'"],
    ['date arithmetic compared with text that is not a date', "seen + 1 > 'tomorrow'"],
  ])('keeps at the gateway %s', (_why, where) => {
    expect(pushed(where)).toBeNull();
  });

  it('a party accepts a date difference from the gateway, and only with two operands', () => {
    const fragment: Fragment = {
      table: { schema: '', name: 't' },
      output: [{ kind: 'aggregate', aggregate: { fn: 'count', arg: null }, alias: 'n' }],
      where: pushed("seen - DATE '2024-01-01' < 10"),
      groupBy: [],
      orderBy: [],
      limit: null,
    };
    const wire = JSON.parse(JSON.stringify(fragment, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
    expect(checkFragment({ ...wire, limit: null }).where).toEqual(fragment.where);
    const broken = { ...wire, limit: null, where: { kind: 'compare', op: '<', left: { kind: 'date-diff', left: { kind: 'column', name: 'seen' } }, right: { kind: 'literal', value: 1 } } };
    expect(() => checkFragment(broken)).toThrow(/malformed fragment/);
  });
});
