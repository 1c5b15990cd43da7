import { describe, expect, it } from 'vitest';
import { CorrelatedRandomness } from '../../src/mpc/correlated-randomness.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { AesCtrPrg } from '../../src/mpc/prg.js';
import { RingKernels } from '../../src/mpc/ring-kernels.js';
import type { PartyIndex } from '../../src/net/party-index.js';

const kernels = new RingKernels();

function threeParties(): CorrelatedRandomness[] {
  const keys = [AesCtrPrg.randomKey(), AesCtrPrg.randomKey(), AesCtrPrg.randomKey()];
  return ([0, 1, 2] as PartyIndex[]).map((i) => new CorrelatedRandomness(i, keys[i]!, keys[(i + 1) % 3]!, kernels));
}

/** Pearson chi-square of byte frequencies against uniform (255 degrees of freedom). */
function byteChiSquare(words: BigUint64Array): number {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const counts = new Float64Array(256);
  for (const b of bytes) counts[b]!++;
  const expected = bytes.length / 256;
  let chi = 0;
  for (const c of counts) chi += (c - expected) ** 2 / expected;
  return chi;
}

// For 255 degrees of freedom, chi-square exceeds 400 with probability below 10^-7; a
// constant or a structured vector scores in the hundreds of thousands.
const CHI_SQUARE_LIMIT = 400;

describe('correlated randomness', () => {
  it('fillXor is the XOR of both streams and advances each as fill would, whatever the draw sizes', () => {
    const [k1, k2] = [AesCtrPrg.randomKey(), AesCtrPrg.randomKey()];
    const [a, b, a2, b2] = [new AesCtrPrg(k1), new AesCtrPrg(k2), new AesCtrPrg(k1), new AesCtrPrg(k2)];
    for (const n of [3, 8192, 1, 20_000, 8191]) {
      const xored = new BigUint64Array(n);
      a.fillXor(xored, b);
      const [x, y] = [a2.words(n), b2.words(n)];
      expect(xored).toEqual(x.map((w, i) => w ^ y[i]!));
    }
    expect(a.words(5)).toEqual(a2.words(5));
    expect(b.words(5)).toEqual(b2.words(5));
    // Across three parties the in-place zero-shares XOR to zero.
    const parties = threeParties();
    const shares = parties.map((p) => {
      const out = new BigUint64Array(10_000);
      p.fillZeroShareB(out);
      return out;
    });
    expect(shares[0]!.every((w, i) => (w ^ shares[1]![i]! ^ shares[2]![i]!) === 0n)).toBe(true);
    expect(byteChiSquare(shares[1]!)).toBeLessThan(CHI_SQUARE_LIMIT);
  });

  it('forks are correlated randomness again, independent of the parent and of each other, whenever they are drawn', () => {
    const parties = threeParties();
    const forks = parties.map((p) => [p.fork(), p.fork()] as const);
    // The parents go on drawing in between; each fork's words do not depend on when.
    parties[1]!.zeroShareA(1000);
    for (const k of [0, 1] as const) {
      const zero = forks.map((f) => f[k].zeroShareA(5000));
      const sum = kernels.add(kernels.add(zero[0]!, zero[1]!), zero[2]!);
      expect(sum.every((w) => w === 0n)).toBe(true);
      const pairs = forks.map((f) => f[k].randomPair(3000));
      // Component j is drawn alike by parties j (first) and j−1 (second).
      for (const j of [0, 1, 2]) expect(pairs[j]![0]).toEqual(pairs[(j + 2) % 3]![1]);
      expect(byteChiSquare(zero[0]!)).toBeLessThan(CHI_SQUARE_LIMIT);
    }
    // Not the parent's stream, nor the other fork's.
    const parent = parties.map((p) => p.component(p.self, 2000));
    const again = parties.map((p) => p.fork());
    expect(again[0]!.component(0, 2000)).not.toEqual(parent[0]);
    expect(forks[0]![0].component(0, 2000)).not.toEqual(forks[0]![1].component(0, 2000));
  });

  it('AES-CTR streams are deterministic whatever the draw sizes', () => {
    const key = AesCtrPrg.randomKey();
    const whole = new AesCtrPrg(key).words(20_000);
    const prg = new AesCtrPrg(key);
    const parts = [1, 8191, 8192, 3, 3613].map((n) => prg.words(n));
    const joined = new BigUint64Array(20_000);
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    expect(joined).toEqual(whole);
    expect(() => new AesCtrPrg(new Uint8Array(15))).toThrow(/16 bytes/);
  });

  it('zero-sharings sum (and XOR) to zero, and are not zero themselves', () => {
    for (const n of [0, 1, 5, 20_000]) {
      const parties = threeParties();
      const [a0, a1, a2] = parties.map((p) => p.zeroShareA(n)) as [BigUint64Array, BigUint64Array, BigUint64Array];
      const sum = kernels.add(kernels.add(a0, a1), a2);
      expect(sum.every((w) => w === 0n)).toBe(true);
      const [b0, b1, b2] = parties.map((p) => p.zeroShareB(n)) as [BigUint64Array, BigUint64Array, BigUint64Array];
      expect(kernels.xor(kernels.xor(b0, b1), b2).every((w) => w === 0n)).toBe(true);
      if (n > 1000) {
        expect(byteChiSquare(a0)).toBeLessThan(CHI_SQUARE_LIMIT);
        expect(byteChiSquare(b1)).toBeLessThan(CHI_SQUARE_LIMIT);
      }
    }
  });

  it('random sharings agree between the two holders of each component', () => {
    const parties = threeParties();
    const pairs = parties.map((p) => p.randomPair(100));
    for (let i = 0; i < 3; i++) expect(pairs[i]![1]).toEqual(pairs[(i + 1) % 3]![0]);
  });

  it('every share of a constant vector (1 MiB) looks uniform', async () => {
    const federation = new InProcessFederation();
    try {
      const n = 131_072; // 1 MiB of words
      const constant = new BigUint64Array(n).fill(0x4242_4242_4242_4242n);
      expect(byteChiSquare(constant)).toBeGreaterThan(CHI_SQUARE_LIMIT);
      const { results } = await federation.run(async (party) => {
        const x = await party.shareInputA(party.self === 0 ? constant : null, 0, n);
        const y = await party.mulA(x, x);
        const b = await party.shareInputB(party.self === 1 ? constant : null, 1, n);
        return [x.s0, x.s1, y.s0, b.s0, b.s1];
      });
      for (const shares of results) for (const s of shares) expect(byteChiSquare(s)).toBeLessThan(CHI_SQUARE_LIMIT);
    } finally {
      await federation.close();
    }
  });
});
