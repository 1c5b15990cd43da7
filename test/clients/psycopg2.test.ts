/**
 * psycopg2 from Debian with SQLAlchemy and pandas (also Debian's), against a real gateway:
 * parameters, a named server-side cursor, copy_expert, inspect(), pandas.read_sql.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';
import { ensurePythonModules } from '../support/debian-packages.js';

const script = fileURLToPath(new URL('./python/check_psycopg2.py', import.meta.url));
let gw: TestGateway;

beforeAll(async () => {
  await ensurePythonModules(['psycopg2', 'sqlalchemy', 'pandas'], ['python3-psycopg2', 'python3-sqlalchemy', 'python3-pandas']);
  gw = await startTestGateway();
}, 900_000);

afterAll(async () => {
  await gw?.stop();
});

it('passes every psycopg2 / SQLAlchemy / pandas check', async () => {
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('/usr/bin/python3', [script, String(gw.port), gw.user, gw.password], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  const lines = r.stdout.trim().split('\n');
  expect(lines.filter((l) => l.startsWith('FAIL')), r.stderr).toEqual([]);
  expect(lines.filter((l) => l.startsWith('ok '))).toHaveLength(5);
  expect(r.code).toBe(0);
}, 180_000);
