/**
 * Secret division (AVG as SUM / COUNT) against plaintext: the quotient n·2^f / d rounded
 * toward zero, exactly, over random values and the ends of each range, negative
 * numerators, divisor 1 and the largest divisor; exact rounds; a public divisor. The
 * two-word quotient (integer part and fraction bits) of a whole-range numerator whose
 * quotient is vouched to be small, and AVG from it: sums and counts in, only the average
 * and the empty flag out.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { averageA, averageOf, averageRounds, AVERAGE_COUNT_BITS, AVERAGE_FRACTION_BITS } from '../../src/mpc/average.js';
import { divA, divisionRounds, divPublicA, quotientA, quotientRounds } from '../../src/mpc/division.js';
import { ringToSigned } from '../../src/mpc/encoding.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import type { Party } from '../../src/mpc/party.js';
import type { AShare } from '../../src/mpc/shares.js';

const federation = new InProcessFederation();
afterAll(() => federation.close());

const words = (values: readonly bigint[]): BigUint64Array => BigUint64Array.from(values.map((v) => BigInt.asUintN(64, v)));

const MIN64 = -(1n << 63n);
const MAX64 = (1n << 63n) - 1n;

/** Opened values as signed integers. */
const opened = async (party: Party, x: AShare): Promise<bigint[]> => Array.from(ringToSigned(await party.revealA(x)));

/**
 * Shares the numerators (party 0) and the divisors (party 1), runs `compute` on them,
 * counting its rounds, then `open` on its result: per party, the rounds and what it opened.
 */
async function onPairs<R, T>(
  pairs: ReadonlyArray<readonly [bigint, bigint]>,
  compute: (party: Party, n: AShare, d: AShare) => Promise<R>,
  open: (party: Party, result: R) => Promise<T>,
): Promise<Array<{ rounds: number; out: T }>> {
  const { results } = await federation.run(async (party) => {
    const batch = party.batch();
    const n = batch.shareInputA(party.self === 0 ? words(pairs.map((p) => p[0])) : null, 0, pairs.length);
    const d = batch.shareInputA(party.self === 1 ? words(pairs.map((p) => p[1])) : null, 1, pairs.length);
    await batch.run();
    const before = party.exchange.stats.rounds;
    const result = await compute(party, n.value, d.value);
    const rounds = party.exchange.stats.rounds - before;
    return { rounds, out: await open(party, result) };
  });
  return results;
}

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
        const results = await onPairs(pairs, (party, n, d) => divA(party, n, d, shape), opened);
        for (const r of results) {
          expect(r.out).toEqual(pairs.map(([n, d]) => expected(n, d, shape.fractionBits)));
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

/** The integer part and the f fraction bits of n / d, each with n's sign, toward zero. */
function expectedParts(n: bigint, d: bigint, f: number): [bigint, bigint] {
  const m = n < 0n ? -n : n;
  const parts: [bigint, bigint] = [m / d, ((m % d) << BigInt(f)) / d];
  return n < 0n ? [-parts[0], -parts[1]] : parts;
}

/** n with |n / d| < 2^q, anywhere in the 64-bit range: the ends included. */
function boundedNumerator(d: bigint, q: number): fc.Arbitrary<bigint> {
  const limit = (d << BigInt(q)) - 1n;
  const max = limit < MAX64 ? limit : MAX64;
  const min = -limit > MIN64 ? -limit : MIN64;
  return fc.oneof(fc.bigInt({ min, max }), fc.constantFrom(min, max, -1n, 0n, 1n));
}

describe('a quotient in two words', () => {
  const shapes = fc.constantFrom(
    { numeratorBits: 64, divisorBits: 20, integerBits: 8, fractionBits: 10 },
    { numeratorBits: 64, divisorBits: AVERAGE_COUNT_BITS, integerBits: 32, fractionBits: AVERAGE_FRACTION_BITS },
    { numeratorBits: 64, divisorBits: 8, integerBits: 64, fractionBits: 5 },
  );
  const cases = shapes.chain((shape) => {
    const dMax = (1n << BigInt(shape.divisorBits - 1)) - 1n;
    const divisor = fc.oneof(fc.bigInt({ min: 1n, max: dMax }), fc.constantFrom(1n, 3n, dMax));
    return fc.tuple(fc.constant(shape), fc.array(divisor.chain((d) => fc.tuple(boundedNumerator(d, shape.integerBits), fc.constant(d))), { minLength: 1, maxLength: 30 }));
  });

  it('gives the integer part and the fraction bits of a whole-range numerator over its divisor, in exact rounds', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ([shape, pairs]) => {
        const results = await onPairs(
          pairs,
          (party, n, d) => quotientA(party, n, d, shape),
          async (party, q) => {
            const integer = await opened(party, q.integer);
            const fraction = await opened(party, q.fraction);
            return integer.map((v, i) => [v, fraction[i]!]);
          },
        );
        for (const r of results) {
          expect(r.out).toEqual(pairs.map(([n, d]) => expectedParts(n, d, shape.fractionBits)));
          expect(r.rounds).toBe(quotientRounds(shape));
        }
      }),
      { numRuns: 8 },
    );
  }, 120_000);
});

describe('AVG as a secret quotient', () => {
  it('reveals the average within a float8 unit and whether the group is empty, nothing of the sum or count', async () => {
    // [sum, count]: int4-sized values (|average| < 2^31), an empty group, the largest count, negative sums.
    const groups: Array<[bigint, bigint]> = [[10n, 4n], [-7n, 3n], [0n, 0n], [1n, 3n], [2n ** 31n * 5n - 1n, 5n], [-(2n ** 31n) * 9n, 9n], [123456789n, (1n << 47n) - 1n], [MAX64, 1n << 33n], [MIN64, 1n << 32n]];
    const results = await onPairs(
      groups,
      (party, sums, counts) => averageA(party, sums, counts, 32),
      async (party, average) => {
        const nonempty = await opened(party, average.nonempty);
        const integer = await opened(party, average.integer);
        const fraction = await opened(party, average.fraction);
        return { nonempty, values: integer.map((v, i) => averageOf(BigInt.asUintN(64, v), BigInt.asUintN(64, fraction[i]!))) };
      },
    );
    for (const { rounds, out: r } of results) {
      expect(rounds).toBe(averageRounds(32));
      expect(r.nonempty).toEqual(groups.map(([, c]) => (c === 0n ? 0n : 1n)));
      groups.forEach(([sum, count], i) => {
        if (count === 0n) return expect(r.values[i]).toBe(0);
        const [whole, bits] = expectedParts(sum, count, AVERAGE_FRACTION_BITS);
        expect(r.values[i]).toBe(Number((whole << BigInt(AVERAGE_FRACTION_BITS)) + bits) / 2 ** AVERAGE_FRACTION_BITS);
        const plain = Number(sum) / Number(count);
        expect(Math.abs(r.values[i]! - plain)).toBeLessThanOrEqual(Math.abs(plain) * 2 ** -51 + 2 ** -AVERAGE_FRACTION_BITS);
      });
    }
  }, 60_000);
});
