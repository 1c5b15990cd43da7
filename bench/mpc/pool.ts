// The local multiplication kernel on the calling thread vs a piscina pool of 1 and 2
// worker threads over SharedArrayBuffer columns. Run after a build:
//   node dist/bench/mpc/pool.js [n=4194304]
import { availableParallelism, loadavg } from 'node:os';
import { KernelPool, sharedWords } from '../../src/mpc/kernel-pool.js';
import { RingKernels } from '../../src/mpc/ring-kernels.js';

const n = Number(process.argv[2] ?? 1 << 22);
const cols = Array.from({ length: 6 }, () => sharedWords(n));
for (const c of cols.slice(0, 5)) for (let i = 0; i < n; i++) c[i] = BigInt(i * 2654435761);
const [x0, x1, y0, y1, alpha, out] = cols as [BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array];

async function rate(f: () => unknown): Promise<number> {
  for (let i = 0; i < 3; i++) await f();
  const reps = 10;
  const t = performance.now();
  for (let i = 0; i < reps; i++) await f();
  return (n * reps) / (performance.now() - t) / 1000;
}

const kernels = new RingKernels();
console.log(`mulLocal over ${n} words, ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}`);
console.log(`calling thread (RingKernels)      ${(await rate(() => kernels.mulLocal(x0, x1, y0, y1, alpha, out))).toFixed(0)} M/s`);
for (const threads of [1, 2]) {
  const pool = new KernelPool({ threads });
  console.log(`piscina pool, ${threads} worker thread${threads > 1 ? 's' : ' '}      ${(await rate(() => pool.mulLocal(x0, x1, y0, y1, alpha, out))).toFixed(0)} M/s`);
  await pool.close();
}
