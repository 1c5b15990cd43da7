import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { KernelPool, sharedWords } from '../../src/mpc/kernel-pool.js';
import { RingKernels } from '../../src/mpc/ring-kernels.js';
import { EDGES, int64 } from './plaintext.js';

const pool = new KernelPool({ threads: 2, minWords: 8 });
const kernels = new RingKernels();
afterAll(() => pool.close());

const column = (values: bigint[]): BigUint64Array => {
  const out = sharedWords(values.length);
  values.forEach((v, i) => (out[i] = BigInt.asUintN(64, v)));
  return out;
};

describe('KernelPool: kernels on worker threads over SharedArrayBuffer columns', () => {
  it('mulLocal and andLocal equal the single-thread kernels (edge values, odd lengths, small and split batches)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(int64, int64, int64, int64, fc.oneof(int64, fc.constantFrom(...EDGES))), { maxLength: 300 }), async (rows) => {
        const cols = [0, 1, 2, 3, 4].map((k) => column(rows.map((r) => r[k]!)));
        const [x0, x1, y0, y1, alpha] = cols as [BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array];
        const mul = await pool.mulLocal(x0, x1, y0, y1, alpha, sharedWords(rows.length));
        expect(Array.from(mul)).toEqual(Array.from(kernels.mulLocal(x0, x1, y0, y1, alpha)));
        const and = await pool.andLocal(x0, x1, y0, y1, alpha, sharedWords(rows.length));
        expect(Array.from(and)).toEqual(Array.from(kernels.andLocal(x0, x1, y0, y1, alpha)));
      }),
      { numRuns: 40 },
    );
  });

  it('refuses columns that are not shared', async () => {
    const plain = new BigUint64Array(100);
    await expect(pool.mulLocal(plain, plain, plain, plain, plain, plain)).rejects.toThrow(/SharedArrayBuffer/);
  });
});
