/**
 * Column and table names that DuckDB reserves but PostgreSQL does not (`at`, `by`, `map`,
 * `qualify`, …) reach DuckDB quoted, so a query over them runs; and the list of such words
 * is the installed DuckDB's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { keywordKindOf } from '@pgsql/quotes';
import { initSqlParser, parseStatements, toDuckDbSql } from '../../src/sql/index.js';
import { DUCKDB_ONLY_KEYWORDS } from '../../src/sql/rewrite/duckdb-keywords.js';

let duck: DuckDBConnection;

beforeAll(async () => {
  await initSqlParser();
  duck = await (await DuckDBInstance.create(':memory:')).connect();
});

describe('DuckDB keywords as identifiers', () => {
  it('lists exactly the DuckDB keywords that PostgreSQL leaves unquoted', async () => {
    const rows = (await duck.runAndReadAll("SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category <> 'unreserved'")).getRows();
    const expected = rows.map(([k]) => String(k)).filter((k) => ['NO_KEYWORD', 'UNRESERVED_KEYWORD'].includes(keywordKindOf(k)));
    expect([...DUCKDB_ONLY_KEYWORDS].sort()).toEqual(expected.sort());
  });

  it('runs a query whose columns, alias and table are named by such words', async () => {
    const names = [...DUCKDB_ONLY_KEYWORDS];
    await duck.run(`CREATE TABLE "qualify" (${names.map((n) => `"${n}" integer`).join(', ')})`);
    await duck.run(`INSERT INTO "qualify" VALUES (${names.map((_n, i) => i).join(', ')})`);
    const pgSql = `SELECT ${names.map((n) => `q.${n}, ${n} AS ${n}_again`).join(', ')} FROM qualify AS q WHERE at >= 0 ORDER BY by`;
    const sql = toDuckDbSql(parseStatements(pgSql)[0]!);
    const row = (await duck.runAndReadAll(sql)).getRows()[0]!;
    expect(row.map(Number)).toEqual(names.flatMap((_n, i) => [i, i]));
  });
});
