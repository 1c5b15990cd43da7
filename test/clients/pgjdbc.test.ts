/**
 * pgjdbc, the latest from Maven Central, driven by a small Java program
 * (test/clients/jdbc) against a real gateway: TLS, DatabaseMetaData, server-prepared
 * statements, fetch size over portals, ResultSetMetaData, query timeout and cancel.
 * Maven and Java 17 are prerequisites: missing, the test fails, it never skips.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startTestGateway, type TestGateway } from '../support/demo-gateway.js';

const project = fileURLToPath(new URL('./jdbc/', import.meta.url));
let gw: TestGateway;
let classpath: string;

function run(command: string, args: string[], timeout: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: project, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  const build = await run('mvn', ['-q', '-B', 'compile', 'dependency:build-classpath', '-Dmdep.outputFile=target/classpath.txt'], 600_000);
  if (build.code !== 0) throw new Error(`building the pgjdbc check failed:\n${build.stdout}\n${build.stderr}`);
  classpath = `target/classes:${(await readFile(`${project}target/classpath.txt`, 'utf8')).trim()}`;
  gw = await startTestGateway();
}, 600_000);

afterAll(async () => {
  await gw?.stop();
});

it('passes every pgjdbc check', async () => {
  const r = await run('java', ['-cp', classpath, 'JdbcClientCheck', String(gw.port), gw.user, gw.password], 120_000);
  const lines = r.stdout.trim().split('\n');
  const failed = lines.filter((l) => l.startsWith('FAIL'));
  expect(failed, r.stderr).toEqual([]);
  expect(lines.filter((l) => l.startsWith('ok '))).toHaveLength(11);
  expect(r.code).toBe(0);
}, 180_000);
