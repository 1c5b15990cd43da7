/**
 * The start-up and introspection queries of DBeaver, Metabase, Superset (SQLAlchemy),
 * Tableau (psqlODBC) and Power BI (Npgsql), from test/clients/corpus, sent with their
 * parameters over the extended protocol to a real gateway with the demo federation and to
 * the local PostgreSQL holding the same objects. Each must be answered, with the column
 * names PostgreSQL gives and a type of the same kind (text, number, boolean, array, time),
 * so the tool reads its answer as it reads PostgreSQL's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { builtinTypeByOid } from '../../src/sql/builtin-types.js';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';
import { LOCAL_POSTGRES, type TestDatabase } from '../support/postgres-database.js';
import { loadToolCorpus, type ToolQuery } from './corpus/corpus.js';
import { postgresTwin } from './federation-twin.js';

let gw: TestGateway;
let twin: TestDatabase;
let ours: pg.Client;
let theirs: pg.Client;

const corpus = loadToolCorpus();

beforeAll(async () => {
  gw = await startTestGateway();
  const login = { host: gw.host, port: gw.port, user: gw.user, password: gw.password, database: gw.database };
  twin = await postgresTwin(login, 'bi_corpus');
  // Values come back as text: the comparison is of RowDescription, not of values.
  const types = { getTypeParser: () => (text: string) => text };
  ours = new pg.Client({ ...login, types });
  theirs = new pg.Client({ ...LOCAL_POSTGRES, database: twin.name, types });
  await ours.connect();
  await theirs.connect();
});

afterAll(async () => {
  await ours?.end();
  await theirs?.end();
  await twin?.drop();
  await gw?.stop();
});

/** The kind of a column's type, as a tool's driver converts it: text, number, boolean … */
function kind(oid: number): string {
  const category = builtinTypeByOid(oid)?.category ?? '?';
  // name, text, varchar, "char" and pg_node_tree all arrive as strings.
  if (category === 'S' || category === 'Z' || oid === 705) return 'text';
  // regproc prints as the function's name and anyarray (attmissingval) as array text.
  if (oid === 24 || oid === 2277) return 'text';
  // oid, regclass, xid and the integers are numbers (pg_type category N, U for xid and cid).
  if (oid === 28 || oid === 29) return 'number';
  return { N: 'number', B: 'boolean', A: 'array', D: 'time', U: `user:${oid}` }[category] ?? `category:${category}`;
}

/** `@patients` → the OID of patients on this server, as the tool looked it up. */
async function resolve(client: pg.Client, text: string): Promise<string> {
  let out = text;
  for (const [token, name] of text.matchAll(/@([a-z_]+)/g)) {
    const r = await client.query({ text: `SELECT '${name}'::regclass::oid AS oid` });
    out = out.replaceAll(token, String(r.rows[0].oid));
  }
  return out;
}

interface Answer {
  fields: { name: string; kind: string; oid: number }[];
  rows: number;
}

async function ask(client: pg.Client, entry: ToolQuery): Promise<Answer> {
  const text = await resolve(client, entry.sql);
  const values = await Promise.all(entry.params.map((p) => resolve(client, p)));
  const result = await client.query({ text, values, rowMode: 'array' });
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  return { fields: last.fields.map((f: pg.FieldDef) => ({ name: f.name, kind: kind(f.dataTypeID), oid: f.dataTypeID })), rows: last.rowCount ?? 0 };
}

describe('BI tools\' catalog queries are answered as PostgreSQL answers them', () => {
  it('the corpus holds at least 60 distinct queries, each naming its source', () => {
    expect(new Set(corpus.map((e) => e.sql)).size).toBeGreaterThanOrEqual(60);
    for (const tool of ['dbeaver', 'metabase', 'sqlalchemy', 'psqlodbc', 'npgsql']) {
      expect(corpus.filter((e) => e.title.startsWith(`[${tool}]`)).length, tool).toBeGreaterThanOrEqual(5);
    }
    for (const entry of corpus) expect(entry.source, entry.title).toMatch(/^[\w.-]+\/[\w.-]+ \S+/);
  });

  it.each(corpus.map((e) => [`${e.title} (${e.file})`, e] as const))('%s', async (_title, entry) => {
    const expected = await ask(theirs, entry);
    let got: Answer;
    try {
      got = await ask(ours, entry);
    } catch (error) {
      const e = error as { code?: string; message: string };
      throw new Error(`gateway failed (${e.code}): ${e.message}\n${entry.sql.slice(0, 400)}`);
    }
    expect(got.fields.map((f) => f.name)).toEqual(expected.fields.map((f) => f.name));
    expect(got.fields.map((f) => `${f.name}:${f.kind}`)).toEqual(expected.fields.map((f) => `${f.name}:${f.kind}`));
  });

  it('Npgsql\'s type loading, sent as one batch as Npgsql sends it, finds the base and array types', async () => {
    // LoadBackendTypes: version, types, composite fields and enum labels in one simple Query.
    const batch = ['server version at type loading', 'load backend types', 'load composite type fields', 'load enum labels']
      .map((title) => corpus.find((e) => e.title === `[npgsql] ${title}`)!.sql)
      .join('\n');
    const run = async (client: pg.Client): Promise<pg.QueryResult[]> => (await client.query(batch)) as unknown as pg.QueryResult[];
    const [ourResults, theirResults] = [await run(ours), await run(theirs)];
    expect(ourResults.map((r) => r.command)).toEqual(theirResults.map((r) => r.command));
    const types = (results: pg.QueryResult[]): Map<string, string> =>
      new Map(results[1]!.rows.map((r: Record<string, string>) => [r['typname']!, `${r['typtype']}:${r['elemtypoid'] ?? ''}`]));
    const [our, their] = [types(ourResults), types(theirResults)];
    // Arrays are told by array_recv (typtype a) and carry their element's OID, as on PostgreSQL.
    for (const name of ['int4', 'text', 'bool', 'numeric', 'timestamptz', '_int4', '_text', 'record', 'void', 'unknown']) {
      expect(our.get(name), name).toBe(their.get(name));
    }
    expect([...our].filter(([, kind]) => kind.startsWith('a:')).length).toBeGreaterThan(20);
  });

  it('an unknown catalog relation gets 42P01 and the session goes on', async () => {
    await expect(ours.query('SELECT * FROM pg_catalog.pg_stat_statements')).rejects.toMatchObject({ code: '42P01' });
    const r = await ours.query('SELECT 1 AS one');
    expect(r.rows).toEqual([{ one: '1' }]);
  });
});
