/**
 * One compute party as its own process, over TlsTransport: the same Party, Batch and
 * Exchange code as in-process. Used by test/net (three of them on loopback) and by the
 * three-process benchmark. Reads a JSON job from argv[2], prints JSON lines on stdout
 * ({"event":"result",...} or {"event":"error",...}), and after a result waits for its
 * stdin to close before closing its links, so that no peer sees a link drop while it
 * still has a round to finish.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { equalA, lessThanA } from '../../src/mpc/comparisons.js';
import { Party } from '../../src/mpc/party.js';
import { secureAggregateAt, type PartyInput } from '../../src/mpc/secure-aggregate.js';
import { groupSumAt } from '../../src/mpc/group-by.js';
import { aShare } from '../../src/mpc/shares.js';
import { sortA } from '../../src/mpc/sort.js';
import { radixSortA, radixSortB } from '../../src/mpc/radix-sort.js';
import { quickSortB } from '../../src/mpc/quicksort.js';
import { groupAggregateA } from '../../src/mpc/group-aggregate.js';
import { divA } from '../../src/mpc/division.js';
import { pkFkJoinA } from '../../src/mpc/join.js';
import { PartyEndpoint } from '../../src/net/party-endpoint.js';
import type { PartyIndex } from '../../src/net/party-index.js';
import { TlsTransport, type PeerAddress } from '../../src/net/tls-transport.js';

export interface TlsPartyJob {
  self: PartyIndex;
  parties: [PeerAddress, PeerAddress, PeerAddress];
  certDir: string;
  program: 'mult' | 'aggregate' | 'long' | 'bench';
  n: number;
  roundTimeoutMs?: number;
  /** bench: one-way latency added to every frame; sort length; groups and owners of the group-by. */
  addedLatencyMs?: number;
  sortN?: number;
  groups?: number;
  /** bench: run only these rows (mult, lessThan, equal); all when absent. */
  only?: string[];
  /** bench: rows of the radix sort and the sort-based group-by, and of each side of the PK–FK join. */
  relN?: number;
}

const job = JSON.parse(process.argv[2]!) as TlsPartyJob;
const say = (event: object): void => void process.stdout.write(`${JSON.stringify(event)}\n`);

/** Deterministic public test vectors (the same at every process; only owners use them). */
function vectorOf(n: number, a: bigint, b: bigint): BigUint64Array {
  const out = new BigUint64Array(n);
  const halves = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    halves[2 * i] = Number((BigInt(i) * a + b) & 0xffffffffn); // i < 2^32: fine as a low half
    halves[2 * i + 1] = 0;
  }
  return out;
}

/** Deterministic int4 values (i·a + b mod 2^32, taken as signed 32-bit), for the comparisons of a narrower range. */
function int4VectorOf(n: number, a: number, b: number): BigUint64Array {
  const out = new BigUint64Array(n);
  const halves = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    halves[2 * i] = (Math.imul(i, a) + b) | 0;
    halves[2 * i + 1] = halves[2 * i]! < 0 ? -1 : 0;
  }
  return out;
}

/** Values i·2654435761 mod m (groups of about n/m rows each). */
function moduloVector(n: number, m: number): BigUint64Array {
  const out = new BigUint64Array(n);
  const halves = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) halves[2 * i] = (Math.imul(i, 2654435761) >>> 0) % m;
  return out;
}

/** Even rows: a value 3j+1 of the PK column vectorOf(n, 3n, 1n); odd rows: 3i+2, in no PK row. */
function foreignKeys(n: number): BigUint64Array {
  const out = new BigUint64Array(n);
  const halves = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) halves[2 * i] = i % 2 === 0 ? 3 * ((i * 7919) % n) + 1 : 3 * i + 2;
  return out;
}

async function main(): Promise<void> {
  const name = job.parties[job.self].name;
  const transport = await TlsTransport.open({
    self: job.self,
    parties: job.parties,
    key: readFileSync(join(job.certDir, `${name}.key`), 'utf8'),
    cert: readFileSync(join(job.certDir, `${name}.crt`), 'utf8'),
    ca: readFileSync(join(job.certDir, 'ca.crt'), 'utf8'),
    addedLatencyMs: job.addedLatencyMs ?? 0,
  });
  const endpoint = new PartyEndpoint(transport);
  const exchange = endpoint.openComputation(`${job.program}-1`, { roundTimeoutMs: job.roundTimeoutMs ?? 8000 });
  const started = performance.now();
  try {
    const party = await Party.setup(exchange);
    const n = job.n;
    let result: object;
    if (job.program === 'mult') {
      const batch = party.batch();
      const x = batch.shareInputA(party.self === 0 ? vectorOf(n, 3n, 1n) : null, 0, n);
      const y = batch.shareInputA(party.self === 1 ? vectorOf(n, 7n, 2n) : null, 1, n);
      await batch.run();
      const t = performance.now();
      const z = await party.mulA(x.value, y.value);
      const mulMs = performance.now() - t;
      const opened = await party.revealATo(z, 2);
      result = { checksum: opened === null ? null : party.kernels.sum(opened).toString(), first: opened === null ? null : Array.from(opened.subarray(0, 3), String), mulMs };
    } else if (job.program === 'aggregate') {
      // Owner k = party k; groups g0..g{n-1}; owner k has count 1, sum k·i, min i−k, max i+k in every group.
      const groups = Array.from({ length: n }, (_, i) => `g${i}`);
      const input: PartyInput = new Map(groups.map((g, i) => [g, { count: 1n, sum: BigInt(party.self * i), min: BigInt(i - party.self), max: BigInt(i + party.self) }]));
      const share = await secureAggregateAt(party, { groups, aggregates: ['count', 'sum', 'min', 'max'], hosts: [0, 1, 2] }, new Map([[party.self, input]]));
      result = { share: Array.from(share, String) };
    } else if (job.program === 'bench') {
      const wanted = (row: string): boolean => job.only === undefined || job.only.includes(row);
      const batch = party.batch();
      const x = batch.shareInputA(party.self === 0 ? vectorOf(n, 3n, 1n) : null, 0, n);
      const y = batch.shareInputA(party.self === 1 ? vectorOf(n, 7n, 5n) : null, 1, n);
      const relational = (row: string): boolean => (job.relN ?? 0) > 0 && (wanted(row) || job.only!.includes('none'));
      const narrow = wanted('lessThan32') || wanted('equal32') || relational('radixSort32') || relational('quickSort32');
      const x32 = batch.shareInputA(party.self === 0 ? int4VectorOf(narrow ? n : 0, 2654435761, 1) : null, 0, narrow ? n : 0);
      const y32 = batch.shareInputA(party.self === 1 ? int4VectorOf(narrow ? n : 0, 40503, 7) : null, 1, narrow ? n : 0);
      await batch.run();
      // Time spent inside rounds (sending, then waiting for the peers' messages), to
      // tell network and synchronisation from local computation.
      // Rounds in flight together on lanes count once: the time any round is pending.
      let inRounds = 0;
      let pending = 0;
      let since = 0;
      const timed = <A extends unknown[], R>(round: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
        if (pending++ === 0) since = performance.now();
        try {
          return await round(...args);
        } finally {
          if (--pending === 0) inRounds += performance.now() - since;
        }
      };
      exchange.exchange = timed(exchange.exchange.bind(exchange));
      const openLanes = exchange.openLanes.bind(exchange);
      exchange.openLanes = (count) => {
        const lanes = openLanes(count);
        for (const lane of lanes) lane.exchange = timed(lane.exchange.bind(lane));
        return lanes;
      };
      const time = async (f: () => Promise<unknown>): Promise<{ ms: number; rounds: number; depth: number; bytes: number; roundMs: number; cpuMs: number; faults: number }> => {
        const [r0, d0, b0, w0] = [exchange.stats.rounds, exchange.stats.depth, exchange.stats.bytesSent, inRounds];
        const c0 = process.cpuUsage();
        const f0 = process.resourceUsage().minorPageFault;
        const t = performance.now();
        await f();
        const cpu = process.cpuUsage(c0);
        const faults = process.resourceUsage().minorPageFault - f0;
        return {
          ms: performance.now() - t,
          rounds: exchange.stats.rounds - r0,
          depth: exchange.stats.depth - d0,
          bytes: exchange.stats.bytesSent - b0,
          roundMs: inRounds - w0,
          cpuMs: (cpu.user + cpu.system) / 1000,
          faults,
        };
      };
      const sortN = job.sortN ?? 0;
      const relN = job.relN ?? 0;
      // Relational inputs: group keys with about 16 rows per group (party 0), an FK column
      // half of whose rows match a PK row (party 1); the PK column is x's first relN values.
      const rel = party.batch();
      const groupKeys = rel.shareInputA(party.self === 0 ? moduloVector(relN, Math.max(1, relN >> 4)) : null, 0, relN);
      const fkKeys = rel.shareInputA(party.self === 1 ? foreignKeys(relN) : null, 1, relN);
      await rel.run();
      const head = (v: typeof x.value, m: number) => aShare(v.s0.subarray(0, m), v.s1.subarray(0, m));
      const groups = Array.from({ length: job.groups ?? 0 }, (_, i) => `g${i}`);
      const partials: PartyInput = new Map(groups.map((g, i) => [g, { count: 1n, sum: BigInt(i), min: BigInt(i - party.self), max: BigInt(i + party.self) }]));
      result = {
        mult: wanted('mult') ? await time(() => party.mulA(x.value, y.value)) : null,
        lessThan: wanted('lessThan') ? await time(() => lessThanA(party, x.value, y.value)) : null,
        equal: wanted('equal') ? await time(() => equalA(party, x.value, y.value)) : null,
        // Operands vouched to lie within ±2^62 (x and y here are below 2^32): the sign of x − y alone.
        lessThan63: wanted('lessThan63') ? await time(() => lessThanA(party, x.value, y.value, { bits: 63 })) : null,
        lessThan32: wanted('lessThan32') ? await time(() => lessThanA(party, x32.value, y32.value, { bits: 32 })) : null,
        equal32: wanted('equal32') ? await time(() => equalA(party, x32.value, y32.value, { bits: 32 })) : null,
        // AVG as SUM / COUNT: x (below 2^32) over a shared divisor (1 here: the cost does not depend on the values), 16 fraction bits. Only when asked by name (C2D_BENCH_ONLY=divide).
        divide: job.only?.includes('divide') ? await time(async () => divA(party, x.value, party.addConstA(party.constantA(new BigUint64Array(n)), 1n), { numeratorBits: 34, divisorBits: 22, fractionBits: 16 })) : null,
        sort: sortN > 0 ? await time(() => sortA(party, aShare(x.value.s0.subarray(0, sortN), x.value.s1.subarray(0, sortN)))) : null,
        groupBySecretKey:
          sortN > 0
            ? await time(() => groupSumAt(party, aShare(x.value.s0.subarray(0, sortN), x.value.s1.subarray(0, sortN)), aShare(y.value.s0.subarray(0, sortN), y.value.s1.subarray(0, sortN))))
            : null,
        radixSort: relational('radixSort') ? await time(() => radixSortA(party, [head(x.value, relN)])) : null,
        // The same, the sorted keys out in boolean form (no conversion back to arithmetic form).
        radixSortB: relational('radixSortB') ? await time(() => radixSortB(party, [head(x.value, relN)])) : null,
        // Shuffle, then quicksort with opened comparisons; keys out in boolean form.
        quickSort: relational('quickSort') ? await time(() => quickSortB(party, [head(x.value, relN)])) : null,
        quickSort32: relational('quickSort32') ? await time(() => quickSortB(party, [head(x32.value, relN)], [], { bits: [32] })) : null,
        // The same, with int4 keys (bits 32): half the digits.
        radixSort32: relational('radixSort32') ? await time(() => radixSortA(party, [head(x32.value, relN)], [], { bits: [32] })) : null,
        groupAggregate: relational('groupAggregate') ? await time(() => groupAggregateA(party, [groupKeys.value], [{ kind: 'sum', column: head(y.value, relN) }, { kind: 'count' }])) : null,
        // Group keys below relN/16: int4 keys (bits 32) for the sort and the equality.
        groupAggregate32: relational('groupAggregate32') ? await time(() => groupAggregateA(party, [groupKeys.value], [{ kind: 'sum', column: head(y.value, relN) }, { kind: 'count' }], { bits: [32] })) : null,
        join:
          relational('join')
            ? await time(() => pkFkJoinA(party, { key: head(x.value, relN), columns: [head(y.value, relN)] }, { key: fkKeys.value, columns: [head(y.value, relN)] }))
            : null,
        // The same join over int4 keys: the PK keys 3i + 1 and the FK keys stay below 2^31 while relN < 2^29.
        join32:
          relational('join32') && relN < 2 ** 29
            ? await time(() => pkFkJoinA(party, { key: head(x.value, relN), columns: [head(y.value, relN)] }, { key: fkKeys.value, columns: [head(y.value, relN)] }, { bits: 32 }))
            : null,
        groupBy:
          groups.length > 0
            ? await time(() => secureAggregateAt(party, { groups, aggregates: ['count', 'sum', 'min', 'max'], hosts: [0, 1, 2] }, new Map([[party.self, partials]])))
            : null,
      };
    } else {
      // Many rounds, reporting progress, for the fault tests.
      const x = await party.shareInputA(party.self === 0 ? vectorOf(n, 3n, 1n) : null, 0, n);
      let z = x;
      for (let i = 0; i < 100_000; i++) {
        z = await party.mulA(z, x);
        if (i === 20) say({ event: 'progress', round: exchange.stats.rounds });
      }
      result = {};
    }
    say({ event: 'result', self: job.self, ms: performance.now() - started, stats: exchange.stats, ...result });
    exchange.close();
    process.stdin.resume();
    await new Promise((resolve) => process.stdin.once('end', resolve).once('close', resolve));
    await endpoint.close();
    process.exit(0);
  } catch (error) {
    exchange.abort(error instanceof Error ? error.message : String(error));
    say({ event: 'error', self: job.self, ms: performance.now() - started, message: error instanceof Error ? error.message : String(error) });
    await endpoint.close().catch(() => {});
    process.exit(1);
  }
}

void main();
