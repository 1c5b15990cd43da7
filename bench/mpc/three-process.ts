// Three compute parties as three processes (dist/bench/mpc/tls-party.js) over mutual TLS
// on loopback, one run: 64-bit multiplications, less-than and equality over n values,
// an oblivious sort, a group-by over a secret key (sum, count) and a group-by over
// public groups (three owners' partials, count/sum/min/max), with the
// rounds and bytes each party sent, each party's CPU time and time inside rounds (so a
// loaded machine shows as wall ≫ CPU), beside the issue's goal and anchor. Optionally
// with added one-way latency per frame (a delay in TlsTransport's receive path).
// Run after a build:
//   node dist/bench/mpc/three-process.js [n=1048576] [sortN=16384] [groups=100000] [latencyMs=0] [relN=65536]
// relN rows for the radix sort, the sort-based group-by (sum, count) and each side of
// the PK–FK join. sortN, groups or relN 0 skips those rows; C2D_BENCH_ONLY picks rows among mult, lessThan,
// equal, radixSort, radixSortB (keys out in boolean form), quickSort (shuffle, then quicksort; keys out in boolean form), groupAggregate, join and those whose operands lie in a narrower range:
// lessThan63, lessThan32, equal32, radixSort32, quickSort32, groupAggregate32, join32 (none: every relational row, nothing else);
// divide (secret division) runs only when named;
// C2D_BENCH_NODE_ARGS adds node flags to the
// parties (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCertificateAuthority, issueCertificate } from '../../src/party/certs.js';

const [n, sortN, groups, latencyMs, relN] = [1 << 20, 1 << 14, 100_000, 0, 1 << 16].map((d, i) => Number(process.argv[2 + i] ?? d)) as [number, number, number, number, number];
if (relN > n) throw new Error(`relN (${relN}) must not exceed n (${n}): the relational inputs are prefixes of the n-value inputs`);
const script = fileURLToPath(new URL('./tls-party.js', import.meta.url));
const names = ['p0', 'p1', 'p2'];
const certDir = mkdtempSync(join(tmpdir(), 'c2d-bench-'));
const ca = await createCertificateAuthority('bench');
writeFileSync(join(certDir, 'ca.crt'), ca.cert);
for (const name of names) {
  const issued = await issueCertificate(ca, name, ['127.0.0.1']);
  writeFileSync(join(certDir, `${name}.crt`), issued.cert);
  writeFileSync(join(certDir, `${name}.key`), issued.key);
}
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const parties = await Promise.all(names.map(async (name) => ({ name, host: '127.0.0.1', port: await freePort() })));

// First-touch page faults cost ~10 µs per 4 KiB page on this VM (a copy into a fresh
// 8 MiB array: 82 ms; into a reused one: 0.7 ms), and every share, message and frame
// is a fresh array. glibc then serves big arrays from transparent huge pages and keeps
// freed memory for reuse instead of unmapping it. C2D_BENCH_TUNABLES='' for glibc's
// defaults (the same setting belongs in the environment of `c2d party`).
const tunables =
  process.env.C2D_BENCH_TUNABLES ?? 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296';

type Figure = { ms: number; rounds: number; depth: number; bytes: number; roundMs: number; cpuMs: number; faults: number } | null;
const children = [0, 1, 2].map((self) =>
  spawn(process.execPath, [...(process.env.C2D_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), script, JSON.stringify({ self, parties, certDir, program: 'bench', n, sortN, groups, relN, only: process.env.C2D_BENCH_ONLY?.split(','), addedLatencyMs: latencyMs, roundTimeoutMs: 120_000 })], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, GLIBC_TUNABLES: tunables },
  }),
);
const results = await Promise.all(
  children.map(
    (child, self) =>
      new Promise<Record<string, Figure> & { event: string; message?: string }>((resolve) => {
        // The party's result is its one JSON line; anything else on its stdout (node's
        // --trace-gc, say) goes to stderr with the party's name.
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
            const line = out.slice(0, nl);
            out = out.slice(nl + 1);
            if (line.startsWith('{"event"')) resolve(JSON.parse(line));
            else process.stderr.write(`[${names[self]}] ${line}\n`);
          }
        });
      }),
  ),
);
for (const child of children) child.stdin.end();
rmSync(certDir, { recursive: true, force: true });
if (results.some((r) => r.event !== 'result')) {
  console.error(results);
  process.exit(1);
}
const loadBefore = loadavg()[0]!;
const line = (label: string, key: string, count: number, unit: string, goal: string): void => {
  const figures = results.map((r) => r[key] as Figure);
  if (figures[0] === null) return;
  const ms = Math.max(...figures.map((f) => f!.ms));
  const bytes = figures.map((f) => f!.bytes);
  const rate = unit === 'M/s' ? ` (${(count / ms / 1000).toFixed(1)} M/s)` : '';
  const detail = ` | CPU per party ${figures.map((f) => (f!.cpuMs / 1000).toFixed(2)).join(' / ')} s, in rounds (any pending) ${figures.map((f) => (f!.roundMs / 1000).toFixed(2)).join(' / ')} s, page faults ${figures.map((f) => (f!.faults / 1000).toFixed(0)).join(' / ')} k`;
  console.log(
    `${label.padEnd(26)} ${(ms / 1000).toFixed(3)} s${rate}, ${figures[0]!.rounds} rounds (${figures[0]!.depth} deep), sent per party ${bytes.map((b) => (b / 2 ** 20).toFixed(1)).join(' / ')} MiB${detail} | ${goal}`,
  );
};
console.log(`three processes, mutual TLS on loopback, added one-way latency ${latencyMs} ms, GLIBC_TUNABLES=${tunables || '(default)'}, load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
line(`${n} multiplications`, 'mult', n, 'M/s', 'goal ≥ 50 M/s; ceiling ~150 M/s from loopback bandwidth');
line(`${n} less-than`, 'lessThan', n, '', 'goal 10^7 in ≤ 2 s; Secrecy 14.4 s (3 × r5.xlarge, LAN)');
line(`${n} equality`, 'equal', n, '', 'goal 10^7 in ≤ 1.5 s; Secrecy 12.7 s');
line(`${n} less-than, ±2^62`, 'lessThan63', n, '', 'operands vouched within ±2^62 (the sign of x − y): goal 10^7 in ≤ 2 s; Secrecy 14.4 s');
line(`${n} less-than, int4`, 'lessThan32', n, '', 'operands of an int4/date column (bits 32)');
line(`${n} equality, int4`, 'equal32', n, '', 'operands of an int4/date column (bits 32)');
line(`${n} divisions (secret / secret)`, 'divide', n, '', 'AVG as SUM / COUNT: 34-bit by 22-bit, 16 fraction bits, exact');
line(`sort ${sortN} keys`, 'sort', sortN, '', 'goal 2^20 in ≤ 20 s; Secrecy bitonic 176 s');
line(`group-by secret key, ${sortN} rows`, 'groupBySecretKey', sortN, '', 'goal 2^20 rows in ≤ 30 s; Secrecy 2^23 562 s');
line(`group-by ${groups} groups × 3 owners`, 'groupBy', groups, '', 'goal 2^20 rows in ≤ 30 s');
line(`radix sort ${relN} keys`, 'radixSort', relN, '', 'goal 2^20 in ≤ 20 s; Hamada radix 1 M 32-bit 197 s');
line(`radix sort ${relN} keys, out in boolean form`, 'radixSortB', relN, '', 'goal 2^20 in ≤ 20 s');
line(`group-by sum+count (sort) ${relN} rows`, 'groupAggregate', relN, '', 'goal 2^20 rows in ≤ 30 s; Secrecy 2^23 562 s');
line(`quicksort ${relN} keys (shuffled)`, 'quickSort', relN, '', 'goal 2^20 in ≤ 20 s; Secrecy bitonic 176 s');
line(`quicksort ${relN} int4 keys (shuffled)`, 'quickSort32', relN, '', 'keys of an int4 column (bits 32)');
line(`radix sort ${relN} int4 keys`, 'radixSort32', relN, '', 'keys of an int4 column (bits 32)');
line(`group-by (sort) ${relN} rows, int4 keys`, 'groupAggregate32', relN, '', 'keys of an int4 column (bits 32)');
line(`PK–FK join ${relN} × ${relN}, int4 keys`, 'join32', relN, '', 'keys of an int4 column (bits 32)');
line(`PK–FK join ${relN} × ${relN}`, 'join', relN, '', 'goal 2^20 × 2^20 in ≤ 60 s; Secrecy 10^5 × 10^5 ~13,450 s');
