/**
 * Session semantics of the local engine, driven through the Engine seam directly (the
 * wire is tested in test/server and test/clients): settings, transaction blocks,
 * cursors, COPY formats and errors, on a real in-process DuckDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { createLocalEngine } from '../../src/engine/index.js';
import type { Engine, EngineSession, Execution } from '../../src/server/engine.js';
import { PgError } from '../../src/server/pg-error.js';

let instance: DuckDBInstance;
let engine: Engine;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run(`CREATE TABLE items AS SELECT i::INTEGER AS id, 'item ' || i AS name, i * 1.5 AS price FROM range(1, 101) t(i)`);
  await c.run(`CREATE TABLE odd (t VARCHAR, n INTEGER)`);
  await c.run(`INSERT INTO odd VALUES ('tab\there', 1), ('new\nline', 2), ('back\\slash', 3), ('comma, "quoted"', 4), (NULL, NULL)`);
  c.closeSync();
  engine = await createLocalEngine({ instance, database: 'c2d', productVersion: 'test' });
});

afterAll(() => instance.closeSync());

interface Opened {
  session: EngineSession;
  notices: string[];
  reported: Array<[string, string]>;
}

async function open(): Promise<Opened> {
  const notices: string[] = [];
  const reported: Array<[string, string]> = [];
  const session = await engine.openSession(
    { user: 'analyst', database: 'c2d', parameters: { application_name: 'vitest' }, remoteAddress: '127.0.0.1' },
    { notice: (_s, m) => notices.push(m), parameterStatus: (n, v) => reported.push([n, v]) },
  );
  return { session, notices, reported };
}

/** Runs every statement of `sql` like a simple query does; returns the last result. */
async function run(session: EngineSession, sql: string, params: unknown[] = []): Promise<{ rows: unknown[][]; tag: string; copy?: string }> {
  let last = { rows: [] as unknown[][], tag: '' } as { rows: unknown[][]; tag: string; copy?: string };
  for (const statement of session.parse(sql)) {
    try {
      const prepared = await session.prepare(statement, []);
      const execution: Execution = await prepared.execute(params, { signal: new AbortController().signal });
      if (execution.kind === 'rows') {
        const { rows } = await execution.fetch(0, new AbortController().signal);
        last = { rows, tag: execution.commandTag(rows.length) };
      } else if (execution.kind === 'command') {
        last = { rows: [], tag: execution.commandTag };
      } else {
        const parts: Buffer[] = [];
        for await (const chunk of execution.chunks(new AbortController().signal)) parts.push(Buffer.from(chunk));
        last = { rows: [], tag: execution.commandTag(), copy: Buffer.concat(parts).toString('utf8') };
      }
    } catch (error) {
      session.statementFailed();
      throw error;
    }
  }
  return last;
}

async function failure(p: Promise<unknown>): Promise<PgError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(PgError);
    return error as PgError;
  }
  throw new Error('expected an error');
}

describe('settings', () => {
  it('SET, SHOW and RESET with canonical names and ParameterStatus for reported ones', async () => {
    const { session, reported } = await open();
    expect((await run(session, 'SHOW application_name')).rows).toEqual([['vitest']]);
    expect((await run(session, "SET TIME ZONE 'Europe/Paris'")).tag).toBe('SET');
    expect(await run(session, 'SHOW timezone')).toEqual({ rows: [['Europe/Paris']], tag: 'SHOW' });
    expect(reported).toContainEqual(['TimeZone', 'Europe/Paris']);
    expect(session.codecContext.timeZone).toBe('Europe/Paris');
    await run(session, 'SET extra_float_digits = 3');
    expect((await run(session, 'SHOW extra_float_digits')).rows).toEqual([['3']]);
    await run(session, 'RESET ALL');
    expect((await run(session, 'SHOW TimeZone')).rows).toEqual([['UTC']]);
    expect((await run(session, 'SHOW search_path')).rows).toEqual([['"$user", public']]);
  });

  it('refuses unknown and read-only settings with PostgreSQL codes', async () => {
    const { session } = await open();
    expect((await failure(run(session, 'SET no_such_thing = 1'))).code).toBe('42704');
    expect((await failure(run(session, 'SHOW no_such_thing'))).code).toBe('42704');
    expect((await failure(run(session, "SET server_version = '1'"))).code).toBe('55000');
    expect((await failure(run(session, 'SET extra_float_digits = 99'))).code).toBe('22023');
    expect((await failure(run(session, "SET TimeZone = 'Mars/Olympus'"))).code).toBe('22023');
    await run(session, "SET myext.flag = 'x'");
    expect((await run(session, 'SHOW myext.flag')).rows).toEqual([['x']]);
  });

  it('runs set_config(name, value, is_local) as SET [LOCAL], answering the value in effect', async () => {
    const { session } = await open();
    expect(await run(session, "SELECT pg_catalog.set_config('search_path', '', false)")).toMatchObject({ rows: [['']], tag: 'SELECT 1' });
    expect((await run(session, 'SHOW search_path')).rows).toEqual([['']]);
    await run(session, 'BEGIN');
    expect((await run(session, "SELECT set_config('application_name', 'local', true) AS a, set_config('myext.x', 'y', false)")).rows).toEqual([['local', 'y']]);
    await run(session, 'COMMIT');
    expect((await run(session, 'SHOW application_name')).rows).toEqual([['vitest']]);
    expect((await run(session, "SELECT current_setting('myext.x')")).rows).toEqual([['y']]);
    expect((await failure(run(session, "SELECT set_config('no_such_thing', '1', false)"))).code).toBe('42704');
  });

  it('undoes SET at ROLLBACK and SET LOCAL at COMMIT', async () => {
    const { session } = await open();
    await run(session, 'BEGIN; SET application_name = a; ROLLBACK');
    expect((await run(session, 'SHOW application_name')).rows).toEqual([['vitest']]);
    await run(session, 'BEGIN; SET application_name = b; COMMIT');
    expect((await run(session, 'SHOW application_name')).rows).toEqual([['b']]);
    await run(session, 'BEGIN; SET LOCAL application_name = c');
    expect((await run(session, 'SHOW application_name')).rows).toEqual([['c']]);
    await run(session, 'COMMIT');
    expect((await run(session, 'SHOW application_name')).rows).toEqual([['b']]);
  });
});

describe('transaction blocks', () => {
  it('moves I → T → E → I like PostgreSQL and refuses work in a failed block', async () => {
    const { session, notices } = await open();
    expect(session.transactionStatus).toBe('I');
    await run(session, 'BEGIN');
    expect(session.transactionStatus).toBe('T');
    await failure(run(session, 'SELECT * FROM no_such_table'));
    expect(session.transactionStatus).toBe('E');
    expect((await failure(run(session, 'SELECT 1'))).code).toBe('25P02');
    expect((await run(session, 'COMMIT')).tag).toBe('ROLLBACK');
    expect(session.transactionStatus).toBe('I');
    await run(session, 'COMMIT');
    expect(notices).toContain('there is no transaction in progress');
  });

  it('recovers a failed block with ROLLBACK TO SAVEPOINT', async () => {
    const { session } = await open();
    await run(session, 'BEGIN; SAVEPOINT s1');
    await failure(run(session, "SELECT 'a'::int"));
    expect(session.transactionStatus).toBe('E');
    await run(session, 'ROLLBACK TO SAVEPOINT s1');
    expect(session.transactionStatus).toBe('T');
    expect((await run(session, 'SELECT 2')).rows).toEqual([[2]]);
    expect((await failure(run(session, 'RELEASE nope'))).code).toBe('3B001');
    await run(session, 'ROLLBACK');
    expect((await failure(run(session, 'SAVEPOINT s2'))).code).toBe('25P01');
  });
});

describe('cursors', () => {
  it('DECLARE, FETCH, MOVE and CLOSE inside a transaction', async () => {
    const { session } = await open();
    expect((await failure(run(session, 'DECLARE c CURSOR FOR SELECT id FROM items ORDER BY id'))).code).toBe('25P01');
    await run(session, 'BEGIN');
    expect((await run(session, 'DECLARE c CURSOR FOR SELECT id FROM items ORDER BY id')).tag).toBe('DECLARE CURSOR');
    expect(await run(session, 'FETCH 3 FROM c')).toEqual({ rows: [[1], [2], [3]], tag: 'FETCH 3' });
    expect((await run(session, 'MOVE 10 IN c')).tag).toBe('MOVE 10');
    expect((await run(session, 'FETCH NEXT FROM c')).rows).toEqual([[14]]);
    expect((await failure(run(session, 'FETCH BACKWARD 1 FROM c'))).code).toBe('55000');
    await run(session, 'ROLLBACK');
    await run(session, 'BEGIN');
    expect((await run(session, 'FETCH ALL FROM c').catch((e: PgError) => e.code)) as unknown).toBe('34000');
    await run(session, 'ROLLBACK');
  });

  it('keeps WITH HOLD cursors after COMMIT and scrolls SCROLL cursors', async () => {
    const { session } = await open();
    await run(session, 'BEGIN; DECLARE h SCROLL CURSOR WITH HOLD FOR SELECT id FROM items WHERE id <= 5 ORDER BY id; COMMIT');
    expect((await run(session, 'FETCH 2 FROM h')).rows).toEqual([[1], [2]]);
    expect((await run(session, 'FETCH ALL FROM h')).tag).toBe('FETCH 3');
    expect((await run(session, 'FETCH BACKWARD 2 FROM h')).rows).toEqual([[5], [4]]);
    expect((await run(session, 'FETCH ABSOLUTE 1 FROM h')).rows).toEqual([[1]]);
    expect((await run(session, 'FETCH ABSOLUTE -1 FROM h')).rows).toEqual([[5]]);
    expect((await run(session, 'CLOSE h')).tag).toBe('CLOSE CURSOR');
    expect((await failure(run(session, 'CLOSE h'))).code).toBe('34000');
  });
});

describe('COPY TO STDOUT', () => {
  it('writes text format with PostgreSQL escapes and \\N for NULL', async () => {
    const { session } = await open();
    const result = await run(session, 'COPY (SELECT t, n FROM odd ORDER BY n NULLS LAST) TO STDOUT');
    expect(result.tag).toBe('COPY 5');
    expect(result.copy).toBe('tab\\there\t1\nnew\\nline\t2\nback\\\\slash\t3\ncomma, "quoted"\t4\n\\N\t\\N\n');
  });

  it('writes CSV with a header and quoting', async () => {
    const { session } = await open();
    const result = await run(session, 'COPY (SELECT t, n FROM odd ORDER BY n NULLS LAST) TO STDOUT WITH (FORMAT csv, HEADER)');
    expect(result.copy).toBe('t,n\ntab\there,1\n"new\nline",2\nback\\slash,3\n"comma, ""quoted""",4\n,\n');
  });

  it('copies a table and refuses COPY FROM and files', async () => {
    const { session } = await open();
    expect((await run(session, 'COPY items (id) TO STDOUT')).tag).toBe('COPY 100');
    expect((await failure(run(session, 'COPY items FROM STDIN'))).code).toBe('0A000');
    expect((await failure(run(session, "COPY items TO '/tmp/x'"))).code).toBe('42501');
  });
});

describe('statements C2D does not run', () => {
  it('refuses writes as a read-only transaction would', async () => {
    const { session } = await open();
    expect((await failure(run(session, 'INSERT INTO items VALUES (1, 2, 3)'))).code).toBe('25006');
    expect((await failure(run(session, 'CREATE TABLE x (a int)'))).code).toBe('0A000');
  });

  it('maps engine errors to SQLSTATEs', async () => {
    const { session } = await open();
    expect((await failure(run(session, 'SELECT * FROM nope'))).code).toBe('42P01');
    expect((await failure(run(session, 'SELECT nope FROM items'))).code).toBe('42703');
    expect((await failure(run(session, 'SELEC 1'))).code).toBe('42601');
  });

  it('reads NULLs and values of every fixed-width type correctly across many chunks', async () => {
    const { session } = await open();
    const sql = `SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE i END::INTEGER AS a, CASE WHEN i % 5 = 0 THEN NULL ELSE i * 1000000000000 END::BIGINT AS b,
      CASE WHEN i % 7 = 0 THEN NULL ELSE i / 4.0 END::DOUBLE AS c, CASE WHEN i % 11 = 0 THEN NULL ELSE DATE '2000-01-01' + i::INTEGER END AS d,
      CASE WHEN i % 2 = 0 THEN NULL ELSE (i % 100)::SMALLINT END AS e, (i % 3)::TINYINT AS f, CASE WHEN i % 13 = 0 THEN NULL ELSE i::FLOAT END AS g,
      CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN 's' || i WHEN 2 THEN 'a much longer string value ' || i WHEN 3 THEN 'ünï' || i ELSE '' END AS h
      FROM range(10000) t(i) ORDER BY i`;
    const { rows } = await run(session, sql);
    expect(rows).toHaveLength(10000);
    rows.forEach((row) => {
      const i = Number(row[0]);
      expect(row[1]).toBe(i % 3 === 0 ? null : i);
      expect(row[2]).toBe(i % 5 === 0 ? null : BigInt(i) * 1000000000000n);
      expect(row[3]).toBe(i % 7 === 0 ? null : i / 4);
      expect(row[4]).toBe(i % 11 === 0 ? null : 10957 + i);
      expect(row[5]).toBe(i % 2 === 0 ? null : i % 100);
      expect(row[6]).toBe(i % 3);
      expect(row[7]).toBe(i % 13 === 0 ? null : Math.fround(i));
      expect(row[8]).toBe([null, `s${i}`, `a much longer string value ${i}`, `ünï${i}`, ''][i % 5]);
    });
  });

  it('binds parameters with inferred types', async () => {
    const { session } = await open();
    const [statement] = session.parse('SELECT name FROM items WHERE id = $1');
    const prepared = await session.prepare(statement!, []);
    expect(prepared.paramTypes).toEqual([23]);
    const execution = await prepared.execute([42], { signal: new AbortController().signal });
    if (execution.kind !== 'rows') throw new Error('expected rows');
    expect((await execution.fetch(0, new AbortController().signal)).rows).toEqual([['item 42']]);
  });
});
