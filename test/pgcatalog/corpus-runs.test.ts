import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Node } from 'libpg-query';
import { initSqlParser, parseStatements, toDuckDbSql } from '../../src/sql/index.js';
import { loadCorpus } from '../corpus/corpus.js';
import { demoDuckDb } from './demo-duckdb.js';

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  await initSqlParser();
  ({ instance, connection } = await demoDuckDb());
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
});

/** The query a statement runs: itself for SELECT, the inner query of DECLARE/COPY/EXPLAIN. */
function queryOf(ast: Node): Node | undefined {
  const [type, fields] = Object.entries(ast)[0] as [string, Record<string, unknown>];
  if (type === 'SelectStmt') return ast;
  if (type === 'DeclareCursorStmt' || type === 'CopyStmt' || type === 'ExplainStmt') {
    const inner = fields['query'] as Node | undefined;
    return inner && Object.keys(inner)[0] === 'SelectStmt' ? inner : undefined;
  }
  return undefined;
}

describe('corpus queries rewritten for DuckDB', () => {
  it('every SELECT-like corpus query runs against the catalog emulation', async () => {
    const failures: string[] = [];
    let ran = 0;
    for (const entry of loadCorpus()) {
      for (const statement of parseStatements(entry.sql)) {
        const query = queryOf(statement.ast);
        if (!query) continue;
        let sql = '';
        try {
          sql = toDuckDbSql(query);
          // Preparing binds every name and type; running checks the functions' bodies.
          const prepared = await connection.prepare(sql);
          if (prepared.parameterCount === 0) await prepared.run();
          prepared.destroySync();
          ran++;
        } catch (error) {
          failures.push(`${entry.file}: ${entry.title}\n  ${(error as Error).message.split('\n')[0]}\n  ${sql.slice(0, 300)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(ran).toBeGreaterThanOrEqual(60);
  });
});
