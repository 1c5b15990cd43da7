import type { ExchangeStats } from '../net/exchange.js';
import type { PartyIndex } from '../net/party-index.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { equalA } from './comparisons.js';
import { bitToA } from './conversions.js';
import type { InProcessFederation } from './in-process.js';
import type { Party } from './party.js';
import type { Words } from './ring-kernels.js';
import { bShare, concatA, concatWords, shareLength, sliceA, type AShare } from './shares.js';
import { sortA } from './sort.js';

/**
 * Secure distinct counts across parties ("how many distinct patients were seen at
 * more than one hospital"): each data owner contributes a column of secret 64-bit keys
 * (e.g. keyed hashes of patient ids); the compute parties count the keys present at
 * two or more owners and the size of the union, without learning any key.
 *
 * How: each owner removes its own duplicates in plaintext (its own data), the columns
 * are secret-shared and concatenated, sorted obliviously (`sortA`, a sorting network),
 * then adjacent elements are compared for equality. With no duplicate inside an owner,
 * a key at m owners is a run of m equal neighbours, so
 *   union     = n − Σ eq[i]                       (eq[i] = sorted[i] == sorted[i+1])
 *   at ≥ 2    = Σ eq[i] ∧ ¬eq[i−1]                (the first pair of every run)
 * The two counts are summed on arithmetic shares and leave only as re-randomised output
 * shares for one recipient (`openDistinctCounts`).
 *
 * What it reveals: to everyone, the number of owners, their hosts and each owner's
 * number of DISTINCT keys (the lengths being shared; announced in one round per owner);
 * to the recipient, the two counts. Nothing else: no key, no equality pattern, not which
 * owners share keys. Costs ⌈log2 n⌉(⌈log2 n⌉+1)/2 sort layers of 12 rounds, then 10.
 */

export interface DistinctCounts {
  /** Distinct keys over all owners. */
  readonly union: bigint;
  /** Distinct keys present at two owners or more. */
  readonly atLeastTwo: bigint;
}

/** The MPC program at each compute party: `hosted` holds the key columns of the owners it hosts. */
export async function secureDistinctCountAt(party: Party, hosts: readonly PartyIndex[], hosted: ReadonlyMap<number, Words>): Promise<Words> {
  for (const owner of hosted.keys()) {
    if (hosts[owner] !== party.self) throw new PgError(SqlState.internalError, `party ${party.self} was given owner ${owner}'s keys, hosted by ${hosts[owner]}`);
  }
  const columns = new Map<number, Words>();
  for (const [owner, keys] of hosted) columns.set(owner, distinctWords(keys));
  const sizes: number[] = [];
  for (let owner = 0; owner < hosts.length; owner++) {
    const host = hosts[owner]!;
    sizes.push(await party.announceLength(host === party.self ? columns.get(owner)?.length ?? 0 : null, host));
  }
  const batch = party.batch();
  const shared = hosts.map((host, owner) => batch.shareInputA(host === party.self ? columns.get(owner) ?? new BigUint64Array(0) : null, host, sizes[owner]!));
  await batch.run();
  return countDistinctShared(party, concatA(shared.map((s) => s.value)));
}

/**
 * The counting step on shared keys (the concatenation of every owner's distinct keys):
 * sort, compare neighbours, sum. Returns the output share of [union, at ≥ 2 owners].
 * Reveals nothing beyond the (public) length.
 */
export async function countDistinctShared(party: Party, keys: AShare): Promise<Words> {
  const n = shareLength(keys);
  if (n < 2) {
    // No pair to compare: union = n, nothing at two owners (n is public already).
    return party.kernels.add(party.constantA(BigUint64Array.of(BigInt(n), 0n)).s0, party.randomness.zeroShareA(2));
  }
  const sorted = await sortA(party, keys);

  const eq = await equalA(party, sliceA(sorted, 0, n - 1), sliceA(sorted, 1, n));
  // eq[i−1] aligned with eq[i] (0 before the first): a local shift of the shares.
  const before = bShare(shiftDown(eq.s0), shiftDown(eq.s1));
  const firstOfRun = await party.andB(eq, party.xorConstB(before, 1n));
  const bits = await bitToA(party, bShare(concatWords(eq.s0, firstOfRun.s0), concatWords(eq.s1, firstOfRun.s1)));
  const m = n - 1;
  const sum = (v: Words): [bigint, bigint] => [party.kernels.sum(v.subarray(0, m)), party.kernels.sum(v.subarray(m))];
  const [eq0, first0] = sum(bits.s0);
  // union = n − Σ eq: the constant goes into one component only (party 0's first).
  const out = BigUint64Array.of(BigInt.asUintN(64, (party.self === 0 ? BigInt(n) : 0n) - eq0), first0);
  return party.kernels.add(out, party.randomness.zeroShareA(2));
}

/** The recipient adds the three output shares. */
export function openDistinctCounts(shares: readonly [Words, Words, Words]): DistinctCounts {
  for (const s of shares) if (s.length !== 2) throw new PgError(SqlState.protocolViolation, `a distinct-count output share has ${s.length} words, not 2`);
  const total = (i: number): bigint => BigInt.asUintN(64, shares[0][i]! + shares[1][i]! + shares[2][i]!);
  return { union: total(0), atLeastTwo: total(1) };
}

/** In-process: owner k's keys are shared by compute party `hosts[k]` (default k mod 3); the caller is the recipient. */
export async function secureDistinctCount(
  federation: InProcessFederation,
  inputs: readonly Words[],
  hosts: readonly PartyIndex[] = inputs.map((_, k) => (k % 3) as PartyIndex),
): Promise<{ counts: DistinctCounts; stats: [ExchangeStats, ExchangeStats, ExchangeStats] }> {
  if (hosts.length !== inputs.length) throw new PgError(SqlState.internalError, `${inputs.length} inputs but ${hosts.length} hosts`);
  const { results, stats } = await federation.run((party) => {
    const hosted = new Map<number, Words>();
    hosts.forEach((host, k) => {
      if (host === party.self) hosted.set(k, inputs[k]!);
    });
    return secureDistinctCountAt(party, hosts, hosted);
  });
  return { counts: openDistinctCounts(results), stats };
}

/** An owner's keys without duplicates (plaintext, at the owner): a native sort, then a compaction on 32-bit halves. */
export function distinctWords(keys: Words): Words {
  const sorted = keys.slice().sort();
  const halves = new Uint32Array(sorted.buffer);
  let kept = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (kept > 0 && halves[2 * i] === halves[2 * kept - 2] && halves[2 * i + 1] === halves[2 * kept - 1]) continue;
    halves[2 * kept] = halves[2 * i]!;
    halves[2 * kept + 1] = halves[2 * i + 1]!;
    kept++;
  }
  return sorted.slice(0, kept);
}


function shiftDown(words: Words): Words {
  const out = new BigUint64Array(words.length);
  out.set(words.subarray(0, words.length - 1), 1);
  return out;
}


