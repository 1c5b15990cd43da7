import { beforeAll, describe, expect, it } from 'vitest';
import { initSqlParser, parseStatements } from '../../src/sql/index.js';
import { PgError } from '../../src/server/pg-error.js';
import { loadCorpus } from '../corpus/corpus.js';

beforeAll(async () => {
  await initSqlParser();
});

describe('parseStatements', () => {
  it('parses every corpus entry with the PostgreSQL grammar', () => {
    const corpus = loadCorpus();
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    const failures: string[] = [];
    for (const entry of corpus) {
      try {
        const statements = parseStatements(entry.sql);
        if (statements.length === 0) failures.push(`${entry.title}: no statement`);
      } catch (error) {
        failures.push(`${entry.title}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('gives each statement its own text and command tag', () => {
    const sql = "select 'ééé' ; SET x = 1;\nDECLARE c CURSOR WITH HOLD FOR SELECT 1; FETCH 10 FROM c; -- done\n";
    const statements = parseStatements(sql);
    expect(statements.map((s) => [s.sql, s.command])).toEqual([
      ["select 'ééé'", 'SELECT'],
      ['SET x = 1', 'SET'],
      ['DECLARE c CURSOR WITH HOLD FOR SELECT 1', 'DECLARE CURSOR'],
      ['FETCH 10 FROM c', 'FETCH'],
    ]);
    expect(Object.keys(statements[0]!.ast)).toEqual(['SelectStmt']);
  });

  it('names commands as PostgreSQL tags them', () => {
    const tags: [string, string][] = [
      ['SELECT 1', 'SELECT'],
      ['VALUES (1)', 'SELECT'],
      ['WITH a AS (SELECT 1) SELECT * FROM a', 'SELECT'],
      ['INSERT INTO t VALUES (1)', 'INSERT'],
      ['UPDATE t SET a = 1', 'UPDATE'],
      ['DELETE FROM t', 'DELETE'],
      ['SHOW ALL', 'SHOW'],
      ['RESET ALL', 'RESET'],
      ['SET TIME ZONE UTC', 'SET'],
      ['BEGIN', 'BEGIN'],
      ['START TRANSACTION', 'BEGIN'],
      ['COMMIT', 'COMMIT'],
      ['END', 'COMMIT'],
      ['ROLLBACK', 'ROLLBACK'],
      ['ROLLBACK TO SAVEPOINT a', 'ROLLBACK'],
      ['SAVEPOINT a', 'SAVEPOINT'],
      ['RELEASE a', 'RELEASE'],
      ['MOVE 5 IN c', 'MOVE'],
      ['CLOSE c', 'CLOSE CURSOR'],
      ['CLOSE ALL', 'CLOSE CURSOR ALL'],
      ['COPY (SELECT 1) TO STDOUT', 'COPY'],
      ['EXPLAIN SELECT 1', 'EXPLAIN'],
      ['DISCARD ALL', 'DISCARD ALL'],
      ['DEALLOCATE p', 'DEALLOCATE'],
      ['DEALLOCATE ALL', 'DEALLOCATE ALL'],
      ['LISTEN x', 'LISTEN'],
      ['CREATE SERVER s FOREIGN DATA WRAPPER c2d', 'CREATE SERVER'],
      ["CREATE FOREIGN TABLE f PARTITION OF t FOR VALUES IN ('a') SERVER s OPTIONS (table_name 't')", 'CREATE FOREIGN TABLE'],
      ['IMPORT FOREIGN SCHEMA public FROM SERVER s INTO x', 'IMPORT FOREIGN SCHEMA'],
      ["SECURITY LABEL FOR c2d ON COLUMN t.a IS 'protected'", 'SECURITY LABEL'],
      ['CREATE TABLE t (a int)', 'CREATE TABLE'],
      ['DROP TABLE t', 'DROP TABLE'],
      ['DROP FOREIGN TABLE t', 'DROP FOREIGN TABLE'],
      ['DROP SERVER s', 'DROP SERVER'],
      ['ALTER TABLE t ADD COLUMN b int', 'ALTER TABLE'],
      ['CREATE USER MAPPING FOR u SERVER s', 'CREATE USER MAPPING'],
    ];
    for (const [sql, tag] of tags) expect([sql, parseStatements(sql)[0]!.command]).toEqual([sql, tag]);
  });

  it('returns no statements for empty or comment-only text', () => {
    expect(parseStatements('')).toEqual([]);
    expect(parseStatements('  -- nothing\n/* at all */ ;')).toEqual([]);
  });

  it('reports syntax errors like PostgreSQL: 42601 at a 1-based character position', () => {
    const cases: [string, string, number][] = [
      ['select * fro t', 'syntax error at or near "fro"', 10],
      ["select 'ééé', x fro t", 'syntax error at or near "t"', 21],
      ['select 1;\nselect * from where', 'syntax error at or near "where"', 25],
      ["select 'abc", 'unterminated quoted string at or near "\'abc"', 8],
      ['selec 1', 'syntax error at or near "selec"', 1],
    ];
    for (const [sql, message, position] of cases) {
      let caught: unknown;
      try {
        parseStatements(sql);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(PgError);
      const error = caught as PgError;
      expect([error.code, error.message, error.position]).toEqual(['42601', message, position]);
    }
  });

  it('rejects a NUL byte inside the query text', () => {
    expect(() => parseStatements('select 1\0; drop table t')).toThrow(PgError);
  });
});
