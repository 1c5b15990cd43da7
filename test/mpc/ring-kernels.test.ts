import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingKernels } from '../../src/mpc/ring-kernels.js';
import { asList, int64, ringMap, ringMap2, vectorPair } from './plaintext.js';

const k = new RingKernels();

describe('WebAssembly ring kernels', () => {
  it('binary operations match BigInt arithmetic mod 2^64', () => {
    fc.assert(
      fc.property(vectorPair(40), ([a, b]) => {
        expect(asList(k.add(a, b))).toEqual(asList(ringMap2(a, b, (x, y) => x + y)));
        expect(asList(k.sub(a, b))).toEqual(asList(ringMap2(a, b, (x, y) => x - y)));
        expect(asList(k.mul(a, b))).toEqual(asList(ringMap2(a, b, (x, y) => x * y)));
        expect(asList(k.xor(a, b))).toEqual(asList(ringMap2(a, b, (x, y) => x ^ y)));
        expect(asList(k.and(a, b))).toEqual(asList(ringMap2(a, b, (x, y) => x & y)));
        expect(asList(k.neg(a))).toEqual(asList(ringMap(a, (x) => -x)));
      }),
      { numRuns: 200 },
    );
  });

  it('constant operations and shifts match', () => {
    fc.assert(
      fc.property(vectorPair(40), int64, fc.integer({ min: 0, max: 63 }), ([a], c, s) => {
        const u = BigInt.asUintN(64, c);
        expect(asList(k.addConst(a, c))).toEqual(asList(ringMap(a, (x) => x + u)));
        expect(asList(k.mulConst(a, c))).toEqual(asList(ringMap(a, (x) => x * u)));
        expect(asList(k.xorConst(a, c))).toEqual(asList(ringMap(a, (x) => x ^ u)));
        expect(asList(k.andConst(a, c))).toEqual(asList(ringMap(a, (x) => x & u)));
        expect(asList(k.shl(a, s))).toEqual(asList(ringMap(a, (x) => x << BigInt(s))));
        expect(asList(k.shr(a, s))).toEqual(asList(ringMap(a, (x) => x >> BigInt(s))));
      }),
      { numRuns: 200 },
    );
  });

  it('the local multiplication and AND steps match their formulas', () => {
    fc.assert(
      fc.property(vectorPair(20), vectorPair(20), vectorPair(20), ([x0, x1], [y0, y1], [alpha]) => {
        const n = Math.min(x0.length, y0.length, alpha.length);
        const [a, b, c, d, e] = [x0, x1, y0, y1, alpha].map((v) => v.slice(0, n)) as [BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array];
        const mul = Array.from({ length: n }, (_, i) => BigInt.asUintN(64, a[i]! * c[i]! + a[i]! * d[i]! + b[i]! * c[i]! + e[i]!));
        const and = Array.from({ length: n }, (_, i) => (a[i]! & c[i]!) ^ (a[i]! & d[i]!) ^ (b[i]! & c[i]!) ^ e[i]!);
        expect(asList(k.mulLocal(a, b, c, d, e))).toEqual(mul);
        expect(asList(k.andLocal(a, b, c, d, e))).toEqual(and);
      }),
      { numRuns: 200 },
    );
  });

  it('streams vectors longer than the scratch area, in place too', () => {
    const n = k.chunk * 2 + 3;
    const a = BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 0x9e3779b97f4a7c15n & 0xffff_ffff_ffff_ffffn);
    const b = BigUint64Array.from({ length: n }, (_, i) => BigInt(n - i) << 40n);
    const expected = asList(ringMap2(a, b, (x, y) => x * y));
    expect(asList(k.mul(a, b))).toEqual(expected);
    const inPlace = a.slice();
    k.mul(inPlace, b, inPlace);
    expect(asList(inPlace)).toEqual(expected);
    const alpha = new BigUint64Array(n);
    const zeros = new BigUint64Array(n);
    expect(asList(k.mulLocal(a, zeros, b, zeros, alpha, alpha))).toEqual(expected);
  });

  it('handles empty vectors and refuses mismatched lengths', () => {
    expect(k.add(new BigUint64Array(0), new BigUint64Array(0)).length).toBe(0);
    expect(() => k.add(new BigUint64Array(1), new BigUint64Array(2))).toThrow(/differ in length/);
  });
});
