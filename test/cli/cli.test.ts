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
import { readFile, writeFile } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { createServer, type AddressInfo } from 'node:net';
import { PartyClient } from '../../src/party/party-client.js';
import { startPartyProcess } from '../support/party-process.js';

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
    for (const command of ['demo', 'gateway', 'generate', 'user', 'party', 'certs']) expect(r.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it.each([['demo'], ['gateway'], ['generate'], ['user'], ['user', 'set-password'], ['party'], ['certs']])('has help for %s', async (...command) => {
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

describe('c2d certs and c2d party', () => {
  it('runs a party from its config file, answering the gateway over mutual TLS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'c2d-party-'));
    const child = { process: null as ReturnType<typeof spawn> | null };
    try {
      const certs = await c2d(['certs', '--parties', 'bmc,mgh', '--dir', join(dir, 'certs')]);
      expect(certs.code).toBe(0);
      expect((await c2d(['certs', '--parties', 'bmc', '--dir', join(dir, 'certs')])).stderr).toContain('exists');
      expect((await c2d(['generate', '--scale', '0.05', '--dir', join(dir, 'data'), '--no-progress'])).code).toBe(0);
      // The fragment link on a port the operator chose (as behind a firewall); the rest free.
      const fragmentsPort = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      await writeFile(
        join(dir, 'bmc.json'),
        JSON.stringify({
          name: 'bmc',
          listen: { host: '127.0.0.1', port: 0 },
          fragments: { port: fragmentsPort },
          tls: { key: 'certs/bmc.key', cert: 'certs/bmc.crt', ca: 'certs/ca.crt' },
          engine: { type: 'duckdb', path: 'data/bmc.duckdb' },
          tables: [{ name: 'patients', remote: { name: 'patients' }, policies: { patient_id: 'public', sex: 'public', national_id: 'protected' } }],
        }),
      );
      expect((await c2d(['party', '--config', join(dir, 'nope.json')])).stderr).toContain('cannot read party config');
      const { process: proc, port, line } = await startPartyProcess(join(dir, 'bmc.json'), 15_000);
      child.process = proc;
      expect(line).toMatch(new RegExp(`listening on 127\\.0\\.0\\.1:${port} \\(mutual TLS; fragments on port ${fragmentsPort}, MPC links on port \\d+\\)`));
      const read = (name: string): Promise<string> => readFile(join(dir, 'certs', name), 'utf8');
      const client = new PartyClient({
        name: 'bmc',
        address: `127.0.0.1:${port}`,
        tls: { key: await read('gateway.key'), cert: await read('gateway.crt'), ca: await read('ca.crt') },
      });
      const stream = await client.execute(
        {
          table: { schema: '', name: 'patients' },
          output: [{ kind: 'aggregate', aggregate: { fn: 'count', arg: null }, alias: 'n' }],
          where: null,
          groupBy: [],
          orderBy: [],
          limit: null,
        },
        new AbortController().signal,
      );
      let count = 0n;
      for await (const batch of stream.batches()) count = batch.columns[0]![0] as bigint;
      client.close();
      const direct = await DuckDBInstance.create(join(dir, 'data', 'bmc.duckdb'), { access_mode: 'READ_ONLY' });
      const connection = await direct.connect();
      const expected = (await connection.runAndReadAll('SELECT count(*) FROM patients')).getRowsJS()[0]![0];
      connection.closeSync();
      direct.closeSync();
      expect(count).toBe(BigInt(expected as number | bigint));
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.process?.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('c2d gateway with its catalog', () => {
  async function startGatewayProcess(args: string[]): Promise<{ port: number; stop(): Promise<number | null> }> {
    const proc = spawn(process.execPath, [cli, 'gateway', '--port', '0', '--auth', 'trust', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${text}`)), 15_000);
      proc.stdout!.on('data', (b: Buffer) => {
        text += b.toString();
        if (text.includes('listening')) {
          clearTimeout(timer);
          resolve(text);
        }
      });
      proc.stderr!.on('data', (b: Buffer) => (text += b.toString()));
      proc.on('exit', (code) => reject(new Error(`gateway exited with ${code}: ${text}`)));
    });
    return {
      port: Number(/:(\d+), database/.exec(line)![1]),
      stop: () => {
        const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
        proc.kill('SIGTERM');
        return exited;
      },
    };
  }

  it('keeps DDL across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'c2d-gw-'));
    try {
      const args = ['--data-dir', join(dir, 'state'), '--federation-certs', join(dir, 'certs')];
      const first = await startGatewayProcess(args);
      const a = new pg.Client({ host: '127.0.0.1', port: first.port, database: 'c2d', user: 'analyst', ssl: { rejectUnauthorized: false } });
      await a.connect();
      await a.query(`CREATE SERVER bmc FOREIGN DATA WRAPPER c2d OPTIONS (host '127.0.0.1', port '7001')`);
      await a.end();
      expect(await first.stop()).toBe(0);
      const second = await startGatewayProcess(args);
      const b = new pg.Client({ host: '127.0.0.1', port: second.port, database: 'c2d', user: 'analyst', ssl: { rejectUnauthorized: false } });
      await b.connect();
      await expect(b.query('CREATE SERVER bmc FOREIGN DATA WRAPPER c2d')).rejects.toMatchObject({ code: '42710', message: 'server "bmc" already exists' });
      await b.end();
      expect(await second.stop()).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
