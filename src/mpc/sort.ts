import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { lessThanA, muxA } from './comparisons.js';
import { bitToA } from './conversions.js';
import type { Party } from './party.js';
import type { Words } from './ring-kernels.js';
import { aShare, shareLength, type AShare } from './shares.js';

/**
 * Oblivious sort of a shared column by a sorting network: the comparisons made depend
 * only on the length, never on the values, so no shuffle is needed and nothing but the
 * length is revealed. Built from primitives only (less-than, mux, local moves).
 *
 * The network is Batcher's bitonic sort in its one-direction form (each block is
 * merged by one "flip" layer, i with the mirror position, then half-cleaners i with
 * i + j), where every comparator puts the smaller value at the lower index. For a length
 * n that is not a power of two the column is thought of as padded with +∞ up to the next
 * power of two P: such a comparator never moves a +∞ from the higher index, so the
 * padding stays put and every comparator touching it is dropped. log2 P·(log2 P + 1)/2
 * layers, each one less-than and one mux over all its comparators at once (12 rounds).
 */

/** Sorts x ascending (signed 64-bit order). Reveals nothing but the length. */
export async function sortA(party: Party, x: AShare): Promise<AShare> {
  let current = x;
  for (const layer of sortingLayers(shareLength(x))) current = await compareExchange(party, current, layer.lo, layer.hi);
  return current;
}

/**
 * Sorts rows by `key` ascending (signed), moving every column of `payload` along with
 * its key. The order among equal keys is not specified (not stable). Per layer: one
 * less-than, its bit to arithmetic (2 rounds) and one batch of products, key and payload
 * together: 12 rounds. Reveals nothing but the length.
 */
export async function sortByKeyA(party: Party, key: AShare, payload: readonly AShare[]): Promise<{ key: AShare; payload: AShare[] }> {
  const n = shareLength(key);
  for (const column of payload) {
    if (shareLength(column) !== n) throw new PgError(SqlState.internalError, `a sort payload column has ${shareLength(column)} rows, not ${n}`);
  }
  let columns = [key, ...payload];
  for (const { lo, hi } of sortingLayers(n)) {
    const a = columns.map((c) => gatherA(c, lo));
    const b = columns.map((c) => gatherA(c, hi));
    const keyFirst = await bitToA(party, await lessThanA(party, a[0]!, b[0]!));
    // smaller-key row = b + c·(a − b), for the key and every payload column in one round.
    const batch = party.batch();
    const products = columns.map((_, j) => batch.mulA(keyFirst, party.subA(a[j]!, b[j]!)));
    await batch.run();
    columns = columns.map((column, j) => {
      const first = party.addA(b[j]!, products[j]!.value);
      const second = party.subA(party.addA(a[j]!, b[j]!), first);
      const out = aShare(column.s0.slice(), column.s1.slice());
      scatter(out.s0, lo, first.s0);
      scatter(out.s1, lo, first.s1);
      scatter(out.s0, hi, second.s0);
      scatter(out.s1, hi, second.s1);
      return out;
    });
  }
  return { key: columns[0]!, payload: columns.slice(1) };
}

/** One layer of disjoint comparators (lo[k] < hi[k]). */
export interface ComparatorLayer {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
}

/** The layers of the network for n elements (public: a function of n only). */
export function sortingLayers(n: number): ComparatorLayer[] {
  const layers: ComparatorLayer[] = [];
  let p = 1;
  while (p < n) p *= 2;
  const layer = (partner: (i: number) => number): void => {
    const lo: number[] = [];
    const hi: number[] = [];
    for (let i = 0; i < n; i++) {
      const l = partner(i);
      if (l > i && l < n) {
        lo.push(i);
        hi.push(l);
      }
    }
    if (lo.length > 0) layers.push({ lo: Int32Array.from(lo), hi: Int32Array.from(hi) });
  };
  for (let k = 2; k <= p; k *= 2) {
    layer((i) => (i & (k / 2)) === 0 ? i ^ (k - 1) : -1);
    for (let j = k / 4; j >= 1; j /= 2) layer((i) => ((i & j) === 0 ? i + j : -1));
  }
  return layers;
}

/** Every comparator of a layer at once: the smaller to lo, the larger to hi. 12 rounds. */
async function compareExchange(party: Party, x: AShare, lo: Int32Array, hi: Int32Array): Promise<AShare> {
  const a = gatherA(x, lo);
  const b = gatherA(x, hi);
  const smaller = await muxA(party, await lessThanA(party, a, b), a, b);
  const larger = party.subA(party.addA(a, b), smaller);
  const out = aShare(x.s0.slice(), x.s1.slice());
  scatter(out.s0, lo, smaller.s0);
  scatter(out.s1, lo, smaller.s1);
  scatter(out.s0, hi, larger.s0);
  scatter(out.s1, hi, larger.s1);
  return out;
}

/** Elements at public positions (a local move). */
export function gatherA(x: AShare, at: Int32Array): AShare {
  return aShare(gather(x.s0, at), gather(x.s1, at));
}

// Moves go through 32-bit views: copying words without making a BigInt per element.
function gather(words: Words, at: Int32Array): Words {
  const out = new BigUint64Array(at.length);
  const src = new Uint32Array(words.buffer, words.byteOffset, words.length * 2);
  const dst = new Uint32Array(out.buffer);
  for (let k = 0; k < at.length; k++) {
    const i = at[k]! * 2;
    dst[2 * k] = src[i]!;
    dst[2 * k + 1] = src[i + 1]!;
  }
  return out;
}

function scatter(into: Words, at: Int32Array, values: Words): void {
  const dst = new Uint32Array(into.buffer, into.byteOffset, into.length * 2);
  const src = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let k = 0; k < at.length; k++) {
    const i = at[k]! * 2;
    dst[i] = src[2 * k]!;
    dst[i + 1] = src[2 * k + 1]!;
  }
}
