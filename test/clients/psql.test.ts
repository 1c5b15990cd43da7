/**
 * The real psql against a real gateway: TLS and plain connections, SCRAM, \dt, \d, \x,
 * COPY TO STDOUT and \copy, and an error in the middle of a script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});

afterAll(async () => {
  await gw?.stop();
});

interface PsqlResult {
  code: number;
  stdout: string;
  stderr: string;
}

function psql(args: string[], options: { sslmode?: string; input?: string; password?: string } = {}): Promise<PsqlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'psql',
      ['-X', '-h', gw.host, '-p', String(gw.port), '-U', gw.user, '-d', gw.database, ...args],
      {
        env: { ...process.env, PGPASSWORD: options.password ?? gw.password, PGSSLMODE: options.sslmode ?? 'require', PGCONNECT_TIMEOUT: '10' },
        timeout: 30_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

describe('psql', () => {
  it('connects over TLS with SCRAM and runs select 1', async () => {
    const r = await psql(['-A', '-t', '-c', 'select 1']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1');
  });

  it('connects without TLS on loopback', async () => {
    const r = await psql(['-A', '-t', '-c', 'show ssl'], { sslmode: 'disable' });
    expect(r.code).toBe(0);
  });

  it('rejects a wrong password', async () => {
    const r = await psql(['-c', 'select 1'], { password: 'wrong' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('password authentication failed for user "analyst"');
  });

  it('lists the demo tables with \\dt', async () => {
    const r = await psql(['-c', '\\dt']);
    expect(r.stderr).toBe('');
    for (const table of ['patients', 'diagnoses', 'medications', 'trauma_cases']) {
      expect(r.stdout).toMatch(new RegExp(`public\\s*\\|\\s*${table}\\s*\\|\\s*partitioned table`));
    }
  });

  it('describes a table with \\d', async () => {
    const r = await psql(['-c', '\\d trauma_cases']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Partitioned table "public.trauma_cases"');
    expect(r.stdout).toMatch(/arrived_at\s*\|\s*timestamp with time zone/);
    expect(r.stdout).toMatch(/severity\s*\|\s*integer/);
    expect(r.stdout).toMatch(/case_id\s*\|\s*bigint/);
  });

  it.each([
    ['\\l', 'List of databases', /^ c2d\s+\|/m],
    ['\\dn', 'List of schemas', /^ public\s+\|/m],
    ['\\df', 'List of functions', /\(0 rows\)/],
    ['\\des', 'List of foreign servers', /^ bmc\s+\|\s+\S+\s+\|\s+c2d$/m],
    ['\\dt+', 'List of relations', /^ public\s+\|\s+trauma_cases\s+\|\s+partitioned table/m],
    ['\\d+ patients', 'Partitioned table "public.patients"', /^ national_id\s+\|\s+text\s+\|.*\|\s+extended/m],
    ['\\du', 'List of roles', /Role name/],
  ])('answers %s like PostgreSQL', async (command, title, row) => {
    const r = await psql(['-c', command]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(title);
    expect(r.stdout).toMatch(row);
  });

  it('prints expanded rows with \\x', async () => {
    const r = await psql([], { input: "\\x\nselect 1 as a, 'two' as b;\n" });
    expect(r.stdout).toContain('Expanded display is on.');
    expect(r.stdout).toMatch(/-\[ RECORD 1 \]-*\na\s*\|\s*1\nb\s*\|\s*two/);
  });

  it('runs COPY … TO STDOUT and \\copy to a file', async () => {
    const r = await psql(['-c', "copy (select party, count(*) as n from patients group by party order by party) to stdout with (format csv, header)"]);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('party,n');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['bmc', 'bwh', 'mgh']);
    const dir = await mkdtemp(join(tmpdir(), 'c2d-psql-'));
    try {
      const file = join(dir, 'out.csv');
      const c = await psql(['-c', `\\copy (select icd10 from diagnoses where icd10 = 'I10' limit 3) to '${file}' csv`]);
      expect(c.stderr).toBe('');
      expect(c.stdout.trim()).toBe('COPY 3');
      expect(await readFile(file, 'utf8')).toBe('I10\nI10\nI10\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers generate_series in the select list with a row per value, and 1/0 with 22012', async () => {
    const r = await psql(['-A', '-t', '-c', 'select generate_series(1, 3) as n']);
    expect(r.stdout.trim().split('\n')).toEqual(['1', '2', '3']);
    const e = await psql(['-v', 'VERBOSITY=verbose', '-c', 'select 1 / 0']);
    expect(e.stderr).toContain('22012: division by zero');
  });

  it('stops a script at the first error with ON_ERROR_STOP and reports the SQLSTATE', async () => {
    const script = '\\set ON_ERROR_STOP on\n\\set VERBOSITY verbose\nselect 1;\nselect * from no_such_table;\nselect 3;\n';
    const r = await psql(['-A', '-t'], { input: script });
    expect(r.code).toBe(3);
    expect(r.stdout.trim()).toBe('1');
    expect(r.stderr).toContain('42P01');
  });
});
