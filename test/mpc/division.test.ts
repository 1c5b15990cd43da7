/**
 * Secret division (AVG as SUM / COUNT) against plaintext: the quotient n·2^f / d rounded
 * toward zero, exactly, over random values and the ends of each range, negative
 * numerators, divisor 1 and the largest divisor; exact rounds; a public divisor.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { divA, divisionRounds, divPublicA } from '../../src/mpc/division.js';
import { ringToSigned } from '../../src/mpc/encoding.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

const words = (values: readonly bigint[]): BigUint64Array => BigUint64Array.from(values.map((v) => BigInt.asUintN(64, v)));

/** sign(n)·⌊|n|·2^f / d⌋ */
function expected(n: bigint, d: bigint, f: number): bigint {
  const magnitude = ((n < 0n ? -n : n) << BigInt(f)) / d;
  return n < 0n ? -magnitude : magnitude;
}

describe('secret division', () => {
  const shapes = fc.constantFrom(
    { numeratorBits: 8, divisorBits: 4, fractionBits: 0 },
    { numeratorBits: 12, divisorBits: 6, fractionBits: 4 },
    { numeratorBits: 20, divisorBits: 10, fractionBits: 8 },
  );
  const cases = shapes.chain((shape) => {
    const nMax = (1n << BigInt(shape.numeratorBits - 1)) - 1n;
    const dMax = (1n << BigInt(shape.divisorBits - 1)) - 1n;
    const numerator = fc.oneof(fc.bigInt({ min: -nMax - 1n, max: nMax }), fc.constantFrom(-nMax - 1n, -nMax, -1n, 0n, 1n, nMax));
    const divisor = fc.oneof(fc.bigInt({ min: 1n, max: dMax }), fc.constantFrom(1n, 2n, dMax));
    return fc.tuple(fc.constant(shape), fc.array(fc.tuple(numerator, divisor), { minLength: 1, maxLength: 40 }));
  });

  it('equals the plaintext quotient, rounded toward zero, in exact rounds', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ([shape, pairs]) => {
        const { results } = await federation.run(async (party) => {
          const batch = party.batch();
          const n = batch.shareInputA(party.self === 0 ? words(pairs.map((p) => p[0])) : null, 0, pairs.length);
          const d = batch.shareInputA(party.self === 1 ? words(pairs.map((p) => p[1])) : null, 1, pairs.length);
          await batch.run();
          const before = party.exchange.stats.rounds;
          const q = await divA(party, n.value, d.value, shape);
          const rounds = party.exchange.stats.rounds - before;
          return { rounds, q: Array.from(ringToSigned(await party.revealA(q))) };
        });
        for (const r of results) {
          expect(r.q).toEqual(pairs.map(([n, d]) => expected(n, d, shape.fractionBits)));
          expect(r.rounds).toBe(divisionRounds(shape));
        }
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it('by a public divisor, and refuses a divisor of zero with 22012', async () => {
    const values = [-1000n, -7n, -1n, 0n, 1n, 7n, 999n, 1000n];
    const { results } = await federation.run(async (party) => {
      const n = await party.shareInputA(party.self === 2 ? words(values) : null, 2, values.length);
      return Array.from(ringToSigned(await party.revealA(await divPublicA(party, n, 7n, { numeratorBits: 12, fractionBits: 2 }))));
    });
    for (const q of results) expect(q).toEqual(values.map((v) => expected(v, 7n, 2)));
    await expect(federation.run(async (party) => divPublicA(party, party.constantA(new BigUint64Array(1)), 0n, { numeratorBits: 8 }))).rejects.toMatchObject({ code: '22012' });
  });

  it('refuses shapes it cannot compute exactly', async () => {
    await expect(federation.run(async (party) => divA(party, party.constantA(new BigUint64Array(1)), party.constantA(new BigUint64Array(1)), { numeratorBits: 60, divisorBits: 8, fractionBits: 8 }))).rejects.toThrow(/division of 60-bit/);
  });
});
