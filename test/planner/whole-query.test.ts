/**
 * Which queries over one partition run at its party whole (whole-query.ts), and the
 * fragment they become: everything the query asks must be in it, or the gateway keeps
 * its part.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initSqlParser, parseStatements } from '../../src/sql/index.js';
import { TypeOid } from '../../src/sql/types/index.js';
import type { FederatedTable } from '../../src/planner/federation.js';
import { planWholeQuery } from '../../src/planner/whole-query.js';
import { tableSource } from '../../src/planner/partial-aggregate.js';

const partitioned: FederatedTable = {
  schema: 'public',
  name: 't',
  columns: [
    { name: 'party', typeOid: TypeOid.text, typmod: -1, nullable: false },
    { name: 'n', typeOid: TypeOid.int4, typmod: -1, nullable: true },
    { name: 'label', typeOid: TypeOid.text, typmod: -1, nullable: true },
    { name: 'day', typeOid: TypeOid.date, typmod: -1, nullable: true },
  ],
  partitionKey: 'party',
  partitions: [{ party: 'a', exportedTable: 't', value: 'a' }],
};
const plain: FederatedTable = { ...partitioned, columns: partitioned.columns.slice(1), partitionKey: null, partitions: [{ party: 'a', exportedTable: 't', value: null }] };

function plan(sql: string, table = partitioned) {
  const [statement] = parseStatements(sql);
  return planWholeQuery((statement!.ast as Record<string, any>)['SelectStmt'], tableSource(table, 't'), table.partitionKey === null ? table.columns : null, null);
}

beforeAll(() => initSqlParser());

describe('whole-query pushdown', () => {
  it('takes grouping, aggregates, order by position, name or expression, limit and offset', () => {
    const whole = plan('SELECT label, count(*) AS k, sum(n), min(day) FROM t GROUP BY label ORDER BY 2 DESC, min(day), k LIMIT 3 OFFSET 2');
    expect(whole).not.toBeNull();
    expect(whole!.offset).toBe(2);
    expect(whole!.fragment.limit).toBe(5n);
    expect(whole!.fragment.groupBy).toEqual([{ kind: 'column', name: 'label' }]);
    expect(whole!.fragment.output.map((o) => (o.kind === 'aggregate' ? o.aggregate.fn : o.expr))).toEqual([{ kind: 'column', name: 'label' }, 'count', 'sum', 'min']);
    expect(whole!.fragment.orderBy).toEqual([
      { output: 1, descending: true, nullsFirst: true },
      { output: 3, descending: false, nullsFirst: false },
      { output: 1, descending: false, nullsFirst: false },
    ]);
  });

  it('takes distinct counts, qualified names, and * over a table without a partition key', () => {
    expect(plan('SELECT count(DISTINCT t.n) FROM t')!.fragment.output[0]).toMatchObject({ kind: 'aggregate', aggregate: { fn: 'count', distinct: true } });
    expect(plan('SELECT * FROM t ORDER BY n', plain)!.fragment.output.map((o) => o.kind === 'expr' && o.expr)).toEqual(
      plain.columns.map((c) => ({ kind: 'column', name: c.name })),
    );
  });

  it.each([
    ['HAVING', 'SELECT label, count(*) FROM t GROUP BY label HAVING count(*) > 1'],
    ['DISTINCT', 'SELECT DISTINCT label FROM t'],
    ['a window', 'SELECT n, row_number() OVER () FROM t'],
    ['an order by text (collations differ between engines)', 'SELECT label FROM t ORDER BY label'],
    ['the partition key, which the party does not store', 'SELECT party, n FROM t'],
    ['* including the partition key', 'SELECT * FROM t'],
    ['an aggregate that does not travel exactly (avg)', 'SELECT avg(n) FROM t'],
    ['an expression in the output', 'SELECT n + 1 FROM t'],
    ['a column neither grouped nor aggregated', 'SELECT n, count(*) FROM t GROUP BY label'],
    ['a subquery', 'SELECT (SELECT 1) FROM t'],
    ['a LIMIT by parameter', 'SELECT n FROM t LIMIT $1'],
    ['FETCH … WITH TIES', 'SELECT n FROM t ORDER BY n FETCH FIRST 2 ROWS WITH TIES'],
    ['a filtered aggregate', 'SELECT count(*) FILTER (WHERE n > 1) FROM t'],
    ['a function of another schema', 'SELECT pg_catalog.count(*) FROM t'],
  ])('leaves %s to the gateway', (_what, sql) => {
    expect(plan(sql)).toBeNull();
  });
});
