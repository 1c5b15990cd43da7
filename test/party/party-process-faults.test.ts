/**
 * A real `c2d party` process that stops (SIGSTOP) or dies (SIGKILL) while the gateway's
 * link to it is open: the gateway's query ends with 08006 within the heartbeat bound, not
 * after the long idle timeout, and a party that resumes answers the next query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartyClient } from '../../src/party/party-client.js';
import type { Fragment } from '../../src/planner/fragment.js';
import { cli, startPartyProcess } from '../support/party-process.js';

const COUNT: Fragment = {
  table: { schema: '', name: 'patients' },
  output: [{ kind: 'aggregate', aggregate: { fn: 'count', arg: null }, alias: 'n' }],
  where: null,
  groupBy: [],
  orderBy: [],
  limit: null,
};

let dir: string;
let party: ChildProcess;
let client: PartyClient;

function c2d(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (error, _stdout, stderr) => (error ? reject(new Error(stderr)) : resolve()));
  });
}

async function count(): Promise<bigint> {
  const stream = await client.execute(COUNT, new AbortController().signal);
  let n = -1n;
  for await (const batch of stream.batches()) n = batch.columns[0]![0] as bigint;
  return n;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c2d-party-faults-'));
  await c2d(['certs', '--parties', 'bmc', '--dir', join(dir, 'certs')]);
  await c2d(['generate', '--scale', '0.05', '--dir', join(dir, 'data'), '--no-progress']);
  await writeFile(
    join(dir, 'bmc.json'),
    JSON.stringify({
      name: 'bmc',
      listen: { host: '127.0.0.1', port: 0 },
      tls: { key: 'certs/bmc.key', cert: 'certs/bmc.crt', ca: 'certs/ca.crt' },
      engine: { type: 'duckdb', path: 'data/bmc.duckdb' },
      tables: [{ name: 'patients', remote: { name: 'patients' }, policies: { patient_id: 'public', sex: 'public' } }],
    }),
  );
  let port: number;
  ({ process: party, port } = await startPartyProcess(join(dir, 'bmc.json')));
  const read = (name: string): Promise<string> => readFile(join(dir, 'certs', name), 'utf8');
  client = new PartyClient({
    name: 'bmc',
    address: `127.0.0.1:${port}`,
    tls: { key: await read('gateway.key'), cert: await read('gateway.crt'), ca: await read('ca.crt') },
    connectTimeoutMs: 3000,
  });
}, 90_000);

afterAll(async () => {
  client?.close();
  party?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('a party process that stops or dies mid-query', () => {
  it('ends the query with 08006 within the heartbeat bound when the party is stopped, and answers again once it resumes', async () => {
    const before = await count();
    expect(before).toBeGreaterThan(0n);
    party.kill('SIGSTOP');
    try {
      const started = performance.now();
      await expect(count()).rejects.toMatchObject({ code: '08006', message: 'party "bmc" stopped answering; the query was stopped' });
      // The link gives up after 8 s without a heartbeat (one every 2 s), plus slack on a loaded machine; far below the 60 s idle timeout.
      expect(performance.now() - started).toBeLessThan(15_000);
    } finally {
      party.kill('SIGCONT');
    }
    expect(await count()).toBe(before);
  }, 40_000);

  it('ends the query with an error at once when the party process dies', async () => {
    party.kill('SIGKILL');
    const started = performance.now();
    await expect(count()).rejects.toMatchObject({ code: expect.stringMatching(/^(08006|HV00N)$/) });
    expect(performance.now() - started).toBeLessThan(6_000);
  }, 20_000);
});
