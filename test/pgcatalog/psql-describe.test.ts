/**
 * psql's \dt and \d <table> queries, run on the local PostgreSQL against real tables and
 * through the rewrite on DuckDB against the same tables: the rows must match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { initSqlParser, parseStatements, toDuckDbSql } from '../../src/sql/index.js';
import { loadCorpus } from '../corpus/corpus.js';
import { demoDuckDb } from './demo-duckdb.js';

const admin = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' };
const database = `c2d_psql_describe_${process.pid}_${Date.now()}`;
/** The OID of table t in the capture the corpus holds. */
const capturedOid = '16396';

let instance: DuckDBInstance;
let duck: DuckDBConnection;
let postgres: pg.Client;

beforeAll(async () => {
  await initSqlParser();
  ({ instance, connection: duck } = await demoDuckDb());
  const adminClient = new pg.Client(admin);
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE ${database}`);
  await adminClient.end();
  postgres = new pg.Client({ ...admin, database, types: { getTypeParser: () => (text: string) => text } });
  await postgres.connect();
  await postgres.query(`
    CREATE TABLE patients (id bigint PRIMARY KEY, name text, party text NOT NULL, age integer, diagnosis text,
                           admitted date, score double precision, cost numeric(10,2), tags text[]);
    CREATE TABLE notes (id integer, body text, created timestamp, UNIQUE (id));
    CREATE VIEW adults AS SELECT id, age FROM patients WHERE age >= 18;
  `);
});

afterAll(async () => {
  await postgres?.end();
  duck?.closeSync();
  instance?.closeSync();
  const adminClient = new pg.Client(admin);
  await adminClient.connect();
  await adminClient.query(`DROP DATABASE IF EXISTS ${database}`);
  await adminClient.end();
});

/** A DuckDB value as PostgreSQL's text output would spell it. */
function pgText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (Array.isArray(value)) return `{${value.map((v) => pgText(v) ?? 'NULL').join(',')}}`;
  return String(value);
}

async function onDuckDb(sql: string): Promise<(string | null)[][]> {
  const [statement] = parseStatements(sql);
  const reader = await duck.runAndReadAll(toDuckDbSql(statement!));
  return reader.getRowsJson().map((row) => row.map(pgText));
}

async function onPostgres(sql: string): Promise<(string | null)[][]> {
  const result = await postgres.query({ text: sql, rowMode: 'array' });
  return (result.rows as (string | null)[][]).map((row) => row.map((v) => v));
}

function psqlQueries(command: string): string[] {
  return loadCorpus()
    .filter((e) => e.file === 'psql.sql' && e.title.startsWith(`[psql 15] ${command} (`))
    .map((e) => e.sql);
}

describe('psql describe queries match PostgreSQL', () => {
  it('\\dt lists the same tables', async () => {
    const [query] = psqlQueries('\\dt');
    expect(await onDuckDb(query!)).toEqual(await onPostgres(query!));
    expect((await onDuckDb(query!)).map((r) => r[1])).toEqual(['notes', 'patients']);
  });

  it('\\d patients returns the same rows for every query psql sends', async () => {
    const [find, ...rest] = psqlQueries('\\d t');
    const lookup = find!.replace("'^(t)$'", () => "'^(patients)$'");
    const pgRows = await onPostgres(lookup);
    const duckRows = await onDuckDb(lookup);
    expect(duckRows.map((r) => r.slice(1))).toEqual(pgRows.map((r) => r.slice(1)));
    const pgOid = pgRows[0]![0]!;
    const duckOid = duckRows[0]![0]!;
    expect(rest.length).toBeGreaterThanOrEqual(5);
    for (const template of rest) {
      const pgResult = await onPostgres(template.replaceAll(capturedOid, pgOid));
      const duckResult = await onDuckDb(template.replaceAll(capturedOid, duckOid));
      expect({ query: template.slice(0, 60), rows: duckResult }).toEqual({ query: template.slice(0, 60), rows: pgResult });
    }
  });
});
