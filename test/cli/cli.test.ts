/**
 * The built `c2d` command as a user runs it: help texts, and the demo serving within
 * 15 seconds from an empty folder, answering a client, and stopping cleanly on SIGTERM.
 */
import { describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

function c2d(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('c2d --help', () => {
  it('lists every subcommand', async () => {
    const r = await c2d(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['demo', 'gateway', 'generate', 'user']) expect(r.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it.each([['demo'], ['gateway'], ['generate'], ['user'], ['user', 'set-password']])('has help for %s', async (...command) => {
    const r = await c2d([...command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: c2d');
  });

  it('rejects a bad option value with a message', async () => {
    const r = await c2d(['generate', '--scale', '-3']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('must be a positive number');
  });
});

describe('c2d demo', () => {
  it('serves within 15 s from an empty folder, answers, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'c2d-demo-'));
    const started = performance.now();
    const child = spawn(process.execPath, [cli, 'demo', '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`demo did not print its psql line within 15 s:\n${text}`)), 15_000);
        child.stdout.on('data', (b: Buffer) => {
          text += b.toString();
          if (text.includes('Connect with')) {
            clearTimeout(timer);
            resolve(text);
          }
        });
        child.on('exit', (code) => reject(new Error(`demo exited with ${code}:\n${text}`)));
      });
      expect(performance.now() - started).toBeLessThan(15_000);
      const match = /psql "host=127\.0\.0\.1 port=(\d+) dbname=c2d user=analyst sslmode=require"/.exec(output);
      expect(match).not.toBeNull();
      const client = new pg.Client({ host: '127.0.0.1', port: Number(match![1]), database: 'c2d', user: 'analyst', password: 'analyst', ssl: { rejectUnauthorized: false } });
      await client.connect();
      const result = await client.query('select count(distinct party)::int as parties from patients');
      expect(result.rows).toEqual([{ parties: 3 }]);
      await client.end();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
