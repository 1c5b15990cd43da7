import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAggregate } from '../../src/mpc/secure-aggregate.js';
import type { PartyIndex } from '../../src/net/party-index.js';
import type { PeerAddress } from '../../src/net/tls-transport.js';
import { createCertificateAuthority, issueCertificate } from '../../src/party/certs.js';

// Three compute parties as three processes over mutual TLS on loopback (the compiled
// dist/bench/mpc/tls-party.js: `npm run build` first).
const script = fileURLToPath(new URL('../../dist/bench/mpc/tls-party.js', import.meta.url));
const NAMES = ['p0', 'p1', 'p2'] as const;
let certDir = '';

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'c2d-tls-'));
  const ca = await createCertificateAuthority('test');
  writeFileSync(join(certDir, 'ca.crt'), ca.cert);
  for (const name of NAMES) {
    const issued = await issueCertificate(ca, name, ['127.0.0.1', 'localhost']);
    writeFileSync(join(certDir, `${name}.crt`), issued.cert);
    writeFileSync(join(certDir, `${name}.key`), issued.key);
  }
}, 30_000);
afterAll(() => rmSync(certDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Event {
  event: 'result' | 'error' | 'progress';
  self: PartyIndex;
  at: number;
  [key: string]: unknown;
}

interface Run {
  children: ChildProcess[];
  events: Event[];
  /** Resolves when party p prints a result or an error (or exits without one). */
  ended: Promise<Event>[];
  firstProgress: Promise<Event>;
  finish(): void;
}

async function startParties(program: string, n: number, roundTimeoutMs = 8000): Promise<Run> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const parties = NAMES.map((name, i) => ({ name, host: '127.0.0.1', port: ports[i]! })) as [PeerAddress, PeerAddress, PeerAddress];
  const events: Event[] = [];
  let progress: (e: Event) => void = () => {};
  const firstProgress = new Promise<Event>((resolve) => (progress = resolve));
  const children: ChildProcess[] = [];
  const ended = ([0, 1, 2] as PartyIndex[]).map((self) => {
    const child = spawn(process.execPath, [script, JSON.stringify({ self, parties, certDir, program, n, roundTimeoutMs })], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    return new Promise<Event>((resolve) => {
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const event = { ...(JSON.parse(buffered.slice(0, nl)) as Event), at: Date.now() };
          buffered = buffered.slice(nl + 1);
          events.push(event);
          if (event.event === 'progress') progress(event);
          else resolve(event);
        }
      });
      child.on('exit', (code, signal) => resolve({ event: 'error', self, at: Date.now(), message: `exited ${code ?? signal}` }));
    });
  });
  return { children, events, ended, firstProgress, finish: () => children.forEach((c) => c.stdin!.end()) };
}

describe('three compute parties as three processes, mutual TLS on loopback', () => {
  it('multiplies 10^4 shared values, revealed to party 2 only', async () => {
    const n = 10_000;
    const run = await startParties('mult', n);
    const results = await Promise.all(run.ended);
    run.finish();
    let expected = 0n;
    for (let i = 0n; i < BigInt(n); i++) expected += (i * 3n + 1n) * (i * 7n + 2n);
    expect(results.map((r) => r.event)).toEqual(['result', 'result', 'result']);
    expect(results[2]!.checksum).toBe(BigInt.asUintN(64, expected).toString());
    expect(results[2]!.first).toEqual(['2', '36', '112']);
    expect([results[0]!.checksum, results[1]!.checksum]).toEqual([null, null]);
    // setup, sharing, multiplication, reveal: one frame per peer per round at most
    for (const r of results) expect((r.stats as { rounds: number }).rounds).toBe(4);
  }, 30_000);

  it('secure aggregation across processes: the recipient opens only the per-group totals', async () => {
    const n = 50;
    const run = await startParties('aggregate', n);
    const results = await Promise.all(run.ended);
    run.finish();
    expect(results.map((r) => r.event)).toEqual(['result', 'result', 'result']);
    const groups = Array.from({ length: n }, (_, i) => `g${i}`);
    const shares = results.map((r) => BigUint64Array.from((r.share as string[]).map(BigInt))) as [BigUint64Array, BigUint64Array, BigUint64Array];
    const rows = openAggregate({ groups, aggregates: ['count', 'sum', 'min', 'max'], hosts: [0, 1, 2] }, shares);
    expect(rows).toEqual(groups.map((group, i) => ({ group, empty: false, count: 3n, sum: BigInt(3 * i), min: BigInt(i - 2), max: BigInt(i + 2) })));
  }, 30_000);

  it('SIGKILL of one party mid-computation: the other two end with a clear error within 10 s', async () => {
    const run = await startParties('long', 1000);
    await run.firstProgress;
    const killedAt = Date.now();
    run.children[2]!.kill('SIGKILL');
    const [a, b] = await Promise.all([run.ended[0]!, run.ended[1]!]);
    run.finish();
    for (const e of [a, b]) {
      expect(e.event).toBe('error');
      expect(String(e.message)).toMatch(/party 2|aborted/);
      expect(e.at - killedAt).toBeLessThan(10_000);
    }
  }, 30_000);

  it('SIGSTOP of one party: the round times out, the other two stop within 10 s', async () => {
    const run = await startParties('long', 1000, 3000);
    await run.firstProgress;
    const stoppedAt = Date.now();
    run.children[1]!.kill('SIGSTOP');
    const [a, c] = await Promise.all([run.ended[0]!, run.ended[2]!]);
    run.children[1]!.kill('SIGKILL');
    run.finish();
    for (const e of [a, c]) {
      expect(e.event).toBe('error');
      expect(String(e.message)).toMatch(/did not answer|party 1|aborted/);
      expect(e.at - stoppedAt).toBeLessThan(10_000);
    }
  }, 30_000);
});
