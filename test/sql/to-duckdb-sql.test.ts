import { beforeAll, describe, expect, it } from 'vitest';
import { initSqlParser, parseStatements, toDuckDbSql } from '../../src/sql/index.js';

beforeAll(async () => {
  await initSqlParser();
});

function rewrite(sql: string): string {
  return toDuckDbSql(parseStatements(sql)[0]!);
}

describe('toDuckDbSql', () => {
  it('leaves user queries over ordinary tables as they are, parameters included, naming columns as PostgreSQL does', () => {
    expect(rewrite('SELECT a, count(*) FROM t WHERE b > $1 GROUP BY a ORDER BY 2 DESC LIMIT 5')).toBe(
      'SELECT a, count(*) AS count FROM t WHERE b > $1 GROUP BY a ORDER BY 2 DESC LIMIT 5',
    );
  });

  it('sends catalog relations to the emulation, qualified or not, but not CTEs of that name', () => {
    expect(rewrite('SELECT 1 FROM pg_catalog.pg_class c JOIN pg_namespace n ON true')).toBe(
      'SELECT 1 AS "?column?" FROM c2d_pgcatalog.main.pg_class AS c JOIN c2d_pgcatalog.main.pg_namespace AS n ON true',
    );
    expect(rewrite('SELECT * FROM information_schema.columns')).toBe('SELECT * FROM c2d_pgcatalog.infoschema.columns');
    expect(rewrite('WITH pg_class AS (SELECT 1) SELECT * FROM pg_class')).toBe('WITH pg_class AS (SELECT 1 AS "?column?") SELECT * FROM pg_class');
    expect(rewrite('SELECT * FROM pg_catalog.pg_nonexistent')).toBe('SELECT * FROM c2d_pgcatalog.main.pg_nonexistent');
    expect(rewrite('SELECT * FROM public.t')).toBe('SELECT * FROM main.t');
  });

  it('makes / and % raise division by zero as PostgreSQL does, except by a non-zero literal; the column keeps its name', () => {
    expect(rewrite('SELECT a / b, a % (b - 1) AS r FROM t')).toBe(
      "SELECT CASE WHEN b = 0 THEN error('division by zero') ELSE a / b END AS \"?column?\", CASE WHEN (b - 1) = 0 THEN error('division by zero') ELSE a % (b - 1) END AS r FROM t",
    );
    expect(rewrite('SELECT a / 2, a % 2.5, a / 0.0 FROM t')).toBe(
      "SELECT a / 2 AS \"?column?\", a % 2.5 AS \"?column?\", CASE WHEN 0.0 = 0 THEN error('division by zero') ELSE a / 0.0 END AS \"?column?\" FROM t",
    );
  });

  it('returns a row per value of generate_series in the select list, as PostgreSQL does, under the name PostgreSQL gives', () => {
    expect(rewrite('SELECT generate_series(1, 3), pg_catalog.generate_series(1, 2) AS g FROM t')).toBe(
      'SELECT unnest(generate_series(1, 3)) AS generate_series, unnest(generate_series(1, 2)) AS g FROM t',
    );
    expect(rewrite('SELECT g FROM generate_series(1, 3) g')).toBe('SELECT g FROM generate_series(1, 3) AS g(g)');
  });

  it("turns PostgreSQL's regex operators into regexp_matches and drops default collations", () => {
    expect(rewrite("SELECT 1 FROM t WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default")).toBe(
      "SELECT 1 AS \"?column?\" FROM t WHERE regexp_matches(c.relname, '^(t)$')",
    );
    expect(rewrite("SELECT a !~ 'x', a ~* 'y', a !~* 'z'")).toBe(
      "SELECT NOT (regexp_matches(a, 'x')) AS \"?column?\", regexp_matches(a, 'y', 'i') AS \"?column?\", NOT (regexp_matches(a, 'z', 'i')) AS \"?column?\"",
    );
    expect(rewrite('SELECT a = ANY (current_schemas(true))')).toBe(
      'SELECT list_contains(c2d_pgcatalog.main.current_schemas(true), a) AS "?column?"',
    );
  });

  it('rewrites object-identifier casts and catalog functions', () => {
    expect(rewrite("SELECT 'pg_class'::regclass, '16384'::regclass, c.oid::pg_catalog.regclass::pg_catalog.text")).toBe(
      "SELECT c2d_pgcatalog.main.c2d_regclass_oid('pg_class') AS regclass, 16384 AS regclass, (c2d_pgcatalog.main.c2d_regclass_name(c.oid))::varchar AS oid",
    );
    expect(rewrite("SELECT typinput = 'pg_catalog.array_in'::regproc, x::regtype")).toBe(
      "SELECT typinput = 'array_in' AS \"?column?\", c2d_pgcatalog.main.format_type(x, NULL) AS x",
    );
    expect(rewrite('SELECT pg_catalog.format_type(a, b), pg_catalog.array_to_string(x, \', \'), version(), current_user')).toBe(
      "SELECT c2d_pgcatalog.main.format_type(a, b) AS format_type, array_to_string(x, ', ') AS array_to_string, c2d_pgcatalog.main.version() AS version, c2d_pgcatalog.main.current_user() AS \"current_user\"",
    );
  });

  it('accepts a wrapped node, as the engine passes the inner query of DECLARE', () => {
    const [declare] = parseStatements('DECLARE c CURSOR FOR SELECT relname FROM pg_class');
    const query = (declare!.ast as { DeclareCursorStmt: { query: Record<string, unknown> } }).DeclareCursorStmt.query;
    expect(toDuckDbSql(query as never)).toBe('SELECT relname FROM c2d_pgcatalog.main.pg_class');
  });
});
