// M multiplications per second over Z_2^64: plain JS on BigUint64Array, the WebAssembly
// kernel (raw, on data already in its memory, and through RingKernels with chunked
// copies), and the full three-party replicated multiplication in one process.
// Run after a build: node dist/bench/mpc/mult.js [n]. About 15 s on this machine.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { RingKernels } from '../../src/mpc/ring-kernels.js';

const n = Number(process.argv[2] ?? 1 << 20);

function random(len: number, seed: bigint): BigUint64Array {
  const out = new BigUint64Array(len);
  let s = seed;
  for (let i = 0; i < len; i++) {
    s = BigInt.asUintN(64, s * 6364136223846793005n + 1442695040888963407n);
    out[i] = s;
  }
  return out;
}

/** Runs `fn` (which does `work` multiplications) for about `seconds`, returns M/s. */
async function rate(work: number, seconds: number, fn: () => unknown): Promise<number> {
  await fn();
  let done = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    await fn();
    done += work;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return done / elapsed / 1e6;
}

const a = random(n, 1n);
const b = random(n, 2n);
const out = new BigUint64Array(n);

const js = await rate(n, 2, () => {
  for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
});
// The same local step as the kernel's mulLocal, in plain JS.
const zeros = new BigUint64Array(n);
const jsLocal = await rate(n, 2, () => {
  for (let i = 0; i < n; i++) out[i] = a[i]! * (b[i]! + a[i]!) + b[i]! * a[i]! + zeros[i]!;
});
// BigInt arithmetic outside a typed-array store is not lowered to machine words.
const small = Math.min(n, 1 << 16);
const jsBigInt = await rate(small, 1, () => {
  let acc = 0n;
  for (let i = 0; i < small; i++) acc = BigInt.asUintN(64, acc + a[i]! * b[i]!);
  return acc;
});

// The raw kernel on one chunk that already sits in WebAssembly memory: the ceiling.
type Raw = { memory: { buffer: ArrayBuffer }; slot(i: number): number; mul(o: number, x: number, y: number, len: number): void; SCRATCH_WORDS: { value: number } };
const wasmApi = (globalThis as unknown as { WebAssembly: { Instance: new (m: unknown, i: object) => { exports: unknown }; Module: new (b: Uint8Array) => unknown } }).WebAssembly;
const raw = new wasmApi.Instance(new wasmApi.Module(readFileSync(fileURLToPath(new URL('../../src/mpc/kernels/ring.wasm', import.meta.url)))), {}).exports as Raw;
const chunk = raw.SCRATCH_WORDS.value;
new BigUint64Array(raw.memory.buffer).set(a.subarray(0, chunk), raw.slot(0) / 8);
new BigUint64Array(raw.memory.buffer).set(b.subarray(0, chunk), raw.slot(1) / 8);
const kernelOnly = await rate(chunk * 64, 2, () => {
  for (let r = 0; r < 64; r++) raw.mul(raw.slot(2), raw.slot(0), raw.slot(1), chunk);
});

const kernels = new RingKernels();
const wasmCopied = await rate(n, 2, () => kernels.mul(a, b, out));
const mulLocal = await rate(n, 2, () => kernels.mulLocal(a, b, a, b, zeros, out));

const federation = new InProcessFederation();
// One computation; products repeated for about 5 s, timed from the first to the last.
const runs = 20;
let rounds = 0;
let bytes = 0;
let seconds = 0;
await federation.run(async (party) => {
  const x = party.constantA(a);
  const y = party.constantA(b);
  await party.mulA(x, y);
  const before = { ...party.exchange.stats };
  const start = process.hrtime.bigint();
  for (let r = 0; r < runs; r++) await party.mulA(x, y);
  if (party.self === 0) {
    seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rounds = party.exchange.stats.rounds - before.rounds;
    bytes = party.exchange.stats.bytesSent - before.bytesSent;
  }
});
const threeParty = (runs * n) / seconds / 1e6;
await federation.close();

const fmt = (v: number): string => v.toFixed(1).padStart(8);
console.log(`n = ${n} 64-bit multiplications per run (2 shared cores; all three parties on one thread)`);
console.log(`plain JS, BigUint64Array loop        ${fmt(js)} M/s`);
console.log(`plain JS, mulLocal formula           ${fmt(jsLocal)} M/s`);
console.log(`plain JS, BigInt accumulator         ${fmt(jsBigInt)} M/s`);
console.log(`WebAssembly kernel, data in memory   ${fmt(kernelOnly)} M/s`);
console.log(`WebAssembly via RingKernels (copies) ${fmt(wasmCopied)} M/s  (${(wasmCopied / js).toFixed(2)} × plain JS)`);
console.log(`WebAssembly mulLocal (copies)        ${fmt(mulLocal)} M/s`);
console.log(`3-party secure multiplication        ${fmt(threeParty)} M/s  (${runs} products of ${n}: ${rounds} rounds, ${bytes} bytes sent by party 0)`);
