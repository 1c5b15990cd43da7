// Relational primitives, three parties in one process (one thread, so every figure is
// the work of all three parties together): radix sort and quicksort against the bitonic
// sortA, sort-based group-by (sum, count) and the PK–FK join. Run after a build:
//   node dist/bench/mpc/relational.js [sizes=16384,65536] [bitonicMax=16384] [ops=sort,quick,bitonic,group,join]
import { InProcessFederation } from '../../src/mpc/in-process.js';
import type { Party } from '../../src/mpc/party.js';
import { quickSortA } from '../../src/mpc/quicksort.js';
import { radixSortA } from '../../src/mpc/radix-sort.js';
import { sortA } from '../../src/mpc/sort.js';
import { groupAggregateA } from '../../src/mpc/group-aggregate.js';
import { pkFkJoinA } from '../../src/mpc/join.js';

const sizes = (process.argv[2] ?? '16384,65536').split(',').map(Number);
const bitonicMax = Number(process.argv[3] ?? 16384);
const ops = new Set((process.argv[4] ?? 'sort,quick,bitonic,group,join').split(','));

/** Deterministic keys spread over the whole signed range (owners use them; no BigInt per element). */
function keys(n: number, seed: number, modulo = 0): BigUint64Array {
  const out = new BigUint64Array(n);
  const h = new Uint32Array(out.buffer);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const t = (Math.imul(s ^ (s >>> 15), 2246822519) >>> 0) ^ i;
    h[2 * i] = modulo > 0 ? (t >>> 0) % modulo : t >>> 0;
    h[2 * i + 1] = modulo > 0 ? 0 : Math.imul(t, 3266489917) >>> 0;
  }
  return out;
}

const federation = new InProcessFederation();
async function time(label: string, n: number, program: (party: Party) => Promise<unknown>): Promise<void> {
  let inner = { ms: 0, rounds: 0, bytes: 0 };
  await federation.run(async (party) => {
    // Inputs are shared before the clock starts.
    const r0 = party.exchange.stats.rounds;
    const b0 = party.exchange.stats.bytesSent;
    const t = performance.now();
    await program(party);
    if (party.self === 0) inner = { ms: performance.now() - t, rounds: party.exchange.stats.rounds - r0, bytes: party.exchange.stats.bytesSent - b0 };
  }, { roundTimeoutMs: 600_000 });
  console.log(`${label.padEnd(36)} n=${String(n).padStart(8)}  ${(inner.ms / 1000).toFixed(2)} s  ${inner.rounds} rounds  party 0 sent ${(inner.bytes / 2 ** 20).toFixed(1)} MiB`);
}

console.log('three parties in one process (one thread; 2 shared cores), inputs shared before timing');
for (const n of sizes) {
  const k = keys(n, 7);
  const v = keys(n, 11, 1000);
  if (ops.has('sort')) {
    await time('radix sort, one 64-bit key', n, async (party) => {
      const x = party.constantA(k);
      await radixSortA(party, [x]);
    });
  }
  if (ops.has('quick')) {
    await time('quicksort, one 64-bit key', n, async (party) => {
      await quickSortA(party, [party.constantA(k)]);
    });
  }
  if (ops.has('bitonic') && n <= bitonicMax) {
    await time('bitonic sortA, one 64-bit key', n, async (party) => {
      await sortA(party, party.constantA(k));
    });
  }
  if (ops.has('group')) {
    const g = keys(n, 13, Math.max(1, n >> 4));
    await time('group-by sum+count, 64-bit key', n, async (party) => {
      await groupAggregateA(party, [party.constantA(g)], [{ kind: 'sum', column: party.constantA(v) }, { kind: 'count' }]);
    });
  }
  if (ops.has('join')) {
    const pk = keys(n, 17);
    const fk = new BigUint64Array(n);
    // Half the FK rows match some PK row, half match none.
    for (let i = 0; i < n; i++) fk[i] = i % 2 === 0 ? pk[(i * 7919) % n]! : k[i]!;
    await time('PK–FK join n×n, 64-bit key', n, async (party) => {
      await pkFkJoinA(party, { key: party.constantA(pk), columns: [party.constantA(v)] }, { key: party.constantA(fk), columns: [party.constantA(v)] });
    });
  }
}
await federation.close();
