// The bit-plane transpose of the sliced kernels (transposeIn, mode plain) alone, on the
// calling thread: random values and 64-at-a-time equal values (a quicksort's pivots),
// best of 20 calls over one chunk of 2^18 values. Run after a build:
//   node dist/bench/mpc/transpose.js
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  transposeIn(out: number, x: number, y: number, nb: number, mode: number): void;
}
const wasm = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: unknown } } }).WebAssembly;
const file = fileURLToPath(new URL('../../src/mpc/kernels/sliced.wasm', import.meta.url));
const k = new wasm.Instance(new wasm.Module(readFileSync(file)), {}).exports as Exports;

const nb = 4096;
const words = nb * 64;
const input = k.heapBase();
const output = input + words * 8;
const need = output + words * 8;
if (need > k.memory.buffer.byteLength) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
const values = new BigUint64Array(k.memory.buffer, input, words);
for (const kind of ['random', 'equal'] as const) {
  if (kind === 'random') for (let i = 0; i < words; i++) values[i] = BigInt.asUintN(64, BigInt(i) * 0x9e3779b97f4a7c15n);
  else values.fill(12345n);
  let best = Infinity;
  for (let r = 0; r < 20; r++) {
    const t = performance.now();
    k.transposeIn(output, input, input, nb, 0);
    best = Math.min(best, performance.now() - t);
  }
  console.log(`transposeIn, ${words} ${kind} values: ${best.toFixed(2)} ms (${((best * 1e6) / words).toFixed(2)} ns per value)`);
}
