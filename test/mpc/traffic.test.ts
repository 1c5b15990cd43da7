import { afterAll, describe, expect, it } from 'vitest';
import { secureDistinctCount } from '../../src/mpc/distinct-count.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { secureAggregate, type PartyInput } from '../../src/mpc/secure-aggregate.js';
import { FrameKind } from '../../src/net/frame.js';
import type { AShare } from '../../src/mpc/shares.js';
import { shuffle, unshuffle } from '../../src/mpc/shuffle.js';

// Every byte the parties send each other is captured (before any TLS; the in-process
// network carries the same frames the TLS transport would) and searched for the secret
// inputs: none may appear, and the bytes must look uniform.
const federation = new InProcessFederation();
afterAll(() => federation.close());
const captured: Uint8Array[] = [];
for (const transport of federation.network.transports) {
  const send = transport.send.bind(transport);
  (transport as { send: typeof transport.send }).send = (to, frame) => {
    if (frame.kind === FrameKind.data) captured.push(frame.payload.slice());
    return send(to, frame);
  };
}

/** Distinctive 64-bit values: no chance to appear by accident in a few MB of random bytes. */
const secret = (i: number): bigint => 0x5ec7e7_0000_0000n + BigInt(i) * 0x1_0001n + 0xc2dn;

/** The 5-byte windows of `bytes` at every offset, as numbers, that are in `wanted`. */
function windowsIn(bytes: Uint8Array, wanted: Set<number>): Set<number> {
  const hits = new Set<number>();
  for (let i = 0; i + 5 <= bytes.length; i++) {
    const w = bytes[i]! * 2 ** 32 + bytes[i + 1]! * 2 ** 24 + bytes[i + 2]! * 2 ** 16 + bytes[i + 3]! * 2 ** 8 + bytes[i + 4]!;
    if (wanted.has(w)) hits.add(w);
  }
  return hits;
}

const window5 = (b: Uint8Array): number => b[0]! * 2 ** 32 + b[1]! * 2 ** 24 + b[2]! * 2 ** 16 + b[3]! * 2 ** 8 + b[4]!;

function leBytes(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return out;
}

/** Chi-square statistic of the byte histogram against uniform (255 degrees of freedom). */
function chiSquare(bytes: Uint8Array[]): { chi: number; total: number } {
  const counts = new Float64Array(256);
  let total = 0;
  for (const b of bytes) {
    for (const x of b) counts[x]!++;
    total += b.length;
  }
  const expected = total / 256;
  let chi = 0;
  for (const c of counts) chi += (c - expected) ** 2 / expected;
  return { chi, total };
}

describe('what crosses the wire', () => {
  it('secure aggregation and distinct counts: no secret input in any frame, shares uniform', async () => {
    const groups = Array.from({ length: 200 }, (_, i) => `g${i}`);
    const secrets: bigint[] = [];
    const inputs: PartyInput[] = [0, 1, 2, 3].map((k) =>
      new Map(
        groups.map((g, i) => {
          const [sum, min, max] = [secret(1000 * k + 3 * i), secret(1000 * k + 3 * i + 1), secret(1000 * k + 3 * i + 2)];
          secrets.push(sum, min, max);
          return [g, { count: 1n, sum, min, max }];
        }),
      ),
    );
    const { rows } = await secureAggregate(federation, { groups, inputs, aggregates: ['sum', 'min', 'max'] });
    expect(rows[0]!.min).toBe(secret(1));
    const keys = [0, 1, 2].map((k) => BigUint64Array.from({ length: 100 }, (_, i) => secret(50_000 + 70 * k + i)));
    for (const column of keys) for (const key of column) secrets.push(key);
    const { counts } = await secureDistinctCount(federation, keys);
    expect(counts).toEqual({ union: 240n, atLeastTwo: 60n });

    const all = new Uint8Array(captured.reduce((t, b) => t + b.length, 0));
    let at = 0;
    for (const b of captured) {
      all.set(b, at);
      at += b.length;
    }
    expect(all.length).toBeGreaterThan(1_000_000);
    // Whole words and their distinctive upper five bytes, anywhere (not only word-aligned).
    const hits = windowsIn(all, new Set(secrets.map((v) => window5(leBytes(v).subarray(3)))));
    expect([...hits]).toEqual([]);
    // The search itself finds what is there.
    expect(windowsIn(leBytes(secret(7)), new Set([window5(leBytes(secret(7)).subarray(3))])).size).toBe(1);
    const { chi } = chiSquare(captured);
    // 255 degrees of freedom: the 99.9% quantile is about 330.
    expect(chi).toBeLessThan(330);
  }, 60_000);

  it('a shuffle and its undoing: no secret in any frame, the hand-overs and resharings uniform', async () => {
    captured.length = 0;
    const n = 20_000;
    const values = BigUint64Array.from({ length: n }, (_, i) => secret(90_000 + i));
    const { results } = await federation.run(async (party) => {
      const batch = party.batch();
      const a = batch.shareInputA(party.self === 0 ? values : null, 0, n);
      const b = batch.shareInputB(party.self === 1 ? values : null, 1, n);
      await batch.run();
      captured.length = 0; // the inputs' own sharing is not what is tested here
      const { columns, permutation } = await shuffle(party, [a.value, b.value]);
      const back = await unshuffle(party, permutation, columns);
      return [...(await party.revealA(back[0] as AShare))];
    });
    expect(results[0]).toEqual([...values]);
    const all = new Uint8Array(captured.reduce((t, b) => t + b.length, 0));
    let at = 0;
    for (const b of captured) {
      all.set(b, at);
      at += b.length;
    }
    // A shuffle sends 4n words per column (two hand-overs, two resharing messages): two columns, twice, and the reveal.
    expect(all.length).toBeGreaterThanOrEqual(2 * 2 * 4 * n * 8);
    expect([...windowsIn(all, new Set([...values].map((v) => window5(leBytes(v).subarray(3)))))]).toEqual([]);
    expect(chiSquare(captured).chi).toBeLessThan(330);
  }, 60_000);
});
