import type { ExchangeStats } from '../net/exchange.js';
import type { PartyIndex } from '../net/party-index.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { averageA, averageOf } from './average.js';
import { isZeroA, lessThanA, muxA } from './comparisons.js';
import type { InProcessFederation } from './in-process.js';
import type { Party } from './party.js';
import type { Words } from './ring-kernels.js';
import { aShare, concatA, type AShare } from './shares.js';

/**
 * Secure re-aggregation of local partial aggregates (Conclave's frontier for GROUP BY
 * over public keys): every data owner aggregates its own rows per group in plaintext,
 * its partials are secret-shared to the three compute parties, and these combine them
 * group by group: SUM and COUNT by local addition, MIN and MAX by a tree of secure
 * comparisons across owners. Only the final per-group totals leave, as output shares
 * for one recipient (the gateway), which adds them up (`openAggregate`).
 *
 * What it reveals, and to whom:
 * - everyone (the spec is public): the group keys, the number of data owners, which
 *   compute party shares each owner's partials, and which aggregates are asked;
 * - the compute parties: nothing else. Owners share a value for every group, absent
 *   groups included, so not even which owner has rows in which group is revealed;
 * - the recipient (gateway): for each group, the asked aggregates over all owners and
 *   whether the group is empty (no owner had a value: SUM, MIN, MAX and AVG are then
 *   NULL). Nothing per owner. AVG is divided under MPC (average.ts): asking for it
 *   reveals the average, not the sum and count behind it.
 *
 * Values are signed 64-bit integers, or fixed-point decimals already scaled by the
 * caller (sums of fixed-point values need no truncation). SUM and COUNT wrap mod 2^64
 * like the ring: the caller must bound the inputs if it needs overflow to be an error.
 *
 * Cost: one round to share the inputs; MIN/MAX add ⌈log2 owners⌉ levels of 12 rounds
 * (less-than and mux over every group at once, MIN and MAX together); when neither
 * COUNT is asked, the empty flag costs 9 rounds (equality with 0, bit to arithmetic),
 * which AVG's division (`averageRounds(64)`) includes. Revealing costs no round here: each party hands its output share to the
 * recipient. One message per round per peer, whatever the number of groups.
 */

export type SecureAggregateKind = 'count' | 'sum' | 'min' | 'max' | 'avg';

/**
 * One owner's partial aggregate of one group: `count` values (non-NULL) were
 * aggregated, `sum`, `min` and `max` over them. With `count` 0 the group is as if
 * absent and the other fields are ignored; otherwise each asked one must be given.
 */
export interface GroupPartial {
  readonly count: bigint;
  readonly sum?: bigint;
  readonly min?: bigint;
  readonly max?: bigint;
}

/** One data owner's partials by group key (groups it has no rows for are simply missing). */
export type PartyInput = ReadonlyMap<string, GroupPartial>;

export interface SecureAggregateSpec {
  /** The public group keys, distinct; results come in this order. */
  readonly groups: readonly string[];
  readonly aggregates: readonly SecureAggregateKind[];
  /**
   * For each data owner, the compute party that secret-shares its partials (its own
   * index when the owner is a compute party). Public: all three parties pass the same.
   */
  readonly hosts: readonly PartyIndex[];
}

/** One group's result: only the asked aggregates are set; NULL (null) when `empty`. */
export interface SecureAggregateRow {
  readonly group: string;
  /** No owner had a value for this group. */
  readonly empty: boolean;
  readonly count?: bigint;
  readonly sum?: bigint | null;
  readonly min?: bigint | null;
  readonly max?: bigint | null;
  /** AVG: sum / count within a float8 unit (average.ts). */
  readonly avg?: number | null;
}

/** A compute party's output share for the recipient: an additive component of the outputs, freshly re-randomised. */
export type AggregateOutputShare = Words;

const MIN64 = -(2n ** 63n);
const MAX64 = 2n ** 63n - 1n;

interface Layout {
  readonly sum: boolean;
  readonly min: boolean;
  readonly max: boolean;
  /** Revealed fields, in output order, each one vector over the groups. */
  readonly outputs: readonly ('count' | 'sum' | 'min' | 'max' | 'empty' | 'avgInteger' | 'avgFraction')[];
}

function layoutOf(spec: SecureAggregateSpec): Layout {
  const asked = new Set(spec.aggregates);
  for (const kind of asked) {
    if (!['count', 'sum', 'min', 'max', 'avg'].includes(kind)) throw new PgError(SqlState.featureNotSupported, `secure aggregate ${String(kind)} is not supported`);
  }
  if (new Set(spec.groups).size !== spec.groups.length) throw new PgError(SqlState.internalError, 'secure aggregation groups must be distinct');
  const sum = asked.has('sum') || asked.has('avg');
  const outputs: Layout['outputs'][number][] = [];
  if (asked.has('count')) outputs.push('count');
  if (asked.has('sum')) outputs.push('sum');
  if (asked.has('min')) outputs.push('min');
  if (asked.has('max')) outputs.push('max');
  if (asked.has('avg')) outputs.push('avgInteger', 'avgFraction');
  if (!asked.has('count')) outputs.push('empty');
  return { sum, min: asked.has('min'), max: asked.has('max'), outputs };
}

/**
 * The MPC program, run by each of the three compute parties (SPMD) with the same
 * `spec`; `hosted` holds the inputs of the owners this party hosts (by owner index).
 * Resolves to this party's output share for the recipient.
 */
export async function secureAggregateAt(party: Party, spec: SecureAggregateSpec, hosted: ReadonlyMap<number, PartyInput>): Promise<AggregateOutputShare> {
  const layout = layoutOf(spec);
  const g = spec.groups.length;
  for (const owner of hosted.keys()) {
    if (spec.hosts[owner] !== party.self) throw new PgError(SqlState.internalError, `party ${party.self} was given owner ${owner}'s input, hosted by ${spec.hosts[owner]}`);
  }
  if (g === 0) return new BigUint64Array(0);
  const fields = 1 + (layout.sum ? 1 : 0) + (layout.min ? 1 : 0) + (layout.max ? 1 : 0);

  // One round: every owner's partials, all fields of all groups, absent groups included.
  const batch = party.batch();
  const shared = spec.hosts.map((host, owner) => {
    const mine = host === party.self ? encodeOwner(spec, layout, hosted.get(owner) ?? new Map(), fields) : null;
    return batch.shareInputA(mine, host, fields * g);
  });
  await batch.run();
  const field = (x: AShare, f: number): AShare => aShare(x.s0.subarray(f * g, (f + 1) * g), x.s1.subarray(f * g, (f + 1) * g));

  let count = party.constantA(new BigUint64Array(g));
  let sum = party.constantA(new BigUint64Array(g));
  for (const s of shared) {
    count = party.addA(count, field(s.value, 0));
    if (layout.sum) sum = party.addA(sum, field(s.value, 1));
  }
  const minField = 1 + (layout.sum ? 1 : 0);
  const maxField = minField + (layout.min ? 1 : 0);
  const extremes = layout.min || layout.max
    ? await reduceExtremes(
        party,
        shared.map((s) => (layout.min ? field(s.value, minField) : null)),
        shared.map((s) => (layout.max ? field(s.value, maxField) : null)),
        g,
      )
    : { min: null, max: null };

  // The average's division brings the empty flag with it.
  const average = layout.outputs.includes('avgInteger') ? await averageA(party, sum, count, 64) : null;
  const outs: AShare[] = [];
  for (const name of layout.outputs) {
    if (name === 'count') outs.push(count);
    else if (name === 'sum') outs.push(sum);
    else if (name === 'min') outs.push(extremes.min!);
    else if (name === 'max') outs.push(extremes.max!);
    else if (name === 'avgInteger') outs.push(average!.integer);
    else if (name === 'avgFraction') outs.push(average!.fraction);
    else if (average) outs.push(party.addConstA(party.negA(average.nonempty), 1n));
    else outs.push(await isZeroA(party, count));
  }
  const all = concatA(outs);
  // Re-randomise: the recipient sees c_0+α_0, c_1+α_1, c_2+α_2, a fresh additive sharing.
  return party.kernels.add(all.s0, party.randomness.zeroShareA(all.s0.length));
}

/** The recipient's side: adds the three output shares and decodes the rows. */
export function openAggregate(spec: SecureAggregateSpec, shares: readonly [AggregateOutputShare, AggregateOutputShare, AggregateOutputShare]): SecureAggregateRow[] {
  const layout = layoutOf(spec);
  const g = spec.groups.length;
  const expected = g * layout.outputs.length;
  for (const s of shares) {
    if (s.length !== expected) throw new PgError(SqlState.protocolViolation, `an aggregate output share has ${s.length} words, not ${expected}`);
  }
  const asked = new Set(spec.aggregates);
  const total = (name: Layout['outputs'][number], i: number): bigint => {
    const at = layout.outputs.indexOf(name) * g + i;
    return BigInt.asIntN(64, shares[0][at]! + shares[1][at]! + shares[2][at]!);
  };
  return spec.groups.map((group, i) => {
    const count = layout.outputs.includes('count') ? total('count', i) : null;
    const empty = count !== null ? count === 0n : total('empty', i) === 1n;
    const row: { -readonly [K in keyof SecureAggregateRow]: SecureAggregateRow[K] } = { group, empty };
    if (asked.has('count')) row.count = count!;
    if (asked.has('sum')) row.sum = empty ? null : total('sum', i);
    if (asked.has('min')) row.min = empty ? null : total('min', i);
    if (asked.has('max')) row.max = empty ? null : total('max', i);
    if (asked.has('avg')) row.avg = empty ? null : averageOf(BigInt.asUintN(64, total('avgInteger', i)), BigInt.asUintN(64, total('avgFraction', i)));
    return row;
  });
}

export interface SecureAggregateRun {
  readonly rows: SecureAggregateRow[];
  /** Per compute party, including the setup round. */
  readonly stats: [ExchangeStats, ExchangeStats, ExchangeStats];
}

/**
 * Secure aggregation on an in-process federation: owner k's input is shared by compute
 * party `spec.hosts[k]` (default k mod 3); the caller plays the recipient.
 */
export async function secureAggregate(
  federation: InProcessFederation,
  spec: Omit<SecureAggregateSpec, 'hosts'> & { readonly hosts?: readonly PartyIndex[]; readonly inputs: readonly PartyInput[] },
): Promise<SecureAggregateRun> {
  const hosts = spec.hosts ?? spec.inputs.map((_, k) => (k % 3) as PartyIndex);
  if (hosts.length !== spec.inputs.length) throw new PgError(SqlState.internalError, `${spec.inputs.length} inputs but ${hosts.length} hosts`);
  const full: SecureAggregateSpec = { groups: spec.groups, aggregates: spec.aggregates, hosts };
  const { results, stats } = await federation.run((party) => {
    const hosted = new Map<number, PartyInput>();
    hosts.forEach((host, k) => {
      if (host === party.self) hosted.set(k, spec.inputs[k]!);
    });
    return secureAggregateAt(party, full, hosted);
  });
  return { rows: openAggregate(full, results), stats };
}

/** An owner's vector: [count | sum | min | max] over the groups (only the needed fields). */
function encodeOwner(spec: SecureAggregateSpec, layout: Layout, input: PartyInput, fields: number): Words {
  const g = spec.groups.length;
  const known = new Set(spec.groups);
  for (const key of input.keys()) {
    if (!known.has(key)) throw new PgError(SqlState.internalError, `a partial aggregate names group ${JSON.stringify(key)}, not among the query's groups`);
  }
  // A loop per group, not per row: owners pre-aggregate locally.
  const out = new BigUint64Array(fields * g);
  spec.groups.forEach((group, i) => {
    const p = input.get(group);
    const present = p !== undefined && p.count !== 0n;
    if (p !== undefined && p.count < 0n) throw new PgError(SqlState.internalError, `group ${JSON.stringify(group)} has a negative count`);
    let f = 0;
    out[f++ * g + i] = BigInt.asUintN(64, present ? p.count : 0n);
    const need = (value: bigint | undefined, name: string): bigint => {
      if (value === undefined) throw new PgError(SqlState.internalError, `group ${JSON.stringify(group)} has ${p!.count} values but no ${name}`);
      if (value < MIN64 || value > MAX64) throw new PgError(SqlState.numericValueOutOfRange, `${name} ${value} of group ${JSON.stringify(group)} is out of the 64-bit range`);
      return BigInt.asUintN(64, value);
    };
    if (layout.sum) out[f++ * g + i] = present ? need(p.sum, 'sum') : 0n;
    // Absent: the identity of the reduction, so it never wins a comparison that matters.
    if (layout.min) out[f++ * g + i] = present ? need(p.min, 'min') : BigInt.asUintN(64, MAX64);
    if (layout.max) out[f++ * g + i] = present ? need(p.max, 'max') : BigInt.asUintN(64, MIN64);
  });
  return out;
}

/**
 * MIN and MAX across owners by a balanced tree: per level one less-than and one mux over
 * every pair of every group, MIN and MAX together (smaller = mux(x<y, x, y), larger =
 * x + y − smaller, local). With no owner, the identities (MAX64 and MIN64) come back.
 */
async function reduceExtremes(party: Party, mins: readonly (AShare | null)[], maxs: readonly (AShare | null)[], g: number): Promise<{ min: AShare | null; max: AShare | null }> {
  const wantMin = mins.length > 0 ? mins[0] !== null : false;
  const wantMax = maxs.length > 0 ? maxs[0] !== null : false;
  if (mins.length === 0) {
    return {
      min: party.constantA(new BigUint64Array(g).fill(BigInt.asUintN(64, MAX64))),
      max: party.constantA(new BigUint64Array(g).fill(BigInt.asUintN(64, MIN64))),
    };
  }
  let level: { min: AShare | null; max: AShare | null }[] = mins.map((m, k) => ({ min: m, max: maxs[k] ?? null }));
  while (level.length > 1) {
    const pairs = Math.floor(level.length / 2);
    const xs: AShare[] = [];
    const ys: AShare[] = [];
    for (let p = 0; p < pairs; p++) {
      const a = level[2 * p]!;
      const b = level[2 * p + 1]!;
      if (wantMin) {
        xs.push(a.min!);
        ys.push(b.min!);
      }
      if (wantMax) {
        xs.push(a.max!);
        ys.push(b.max!);
      }
    }
    const x = concatA(xs);
    const y = concatA(ys);
    const smaller = await muxA(party, await lessThanA(party, x, y), x, y);
    const larger = party.subA(party.addA(x, y), smaller);
    const next: typeof level = [];
    let at = 0;
    const take = (v: AShare): AShare => aShare(v.s0.subarray(at * g, (at + 1) * g), v.s1.subarray(at * g, (at + 1) * g));
    for (let p = 0; p < pairs; p++) {
      const min = wantMin ? take(smaller) : null;
      if (wantMin) at++;
      const max = wantMax ? take(larger) : null;
      if (wantMax) at++;
      next.push({ min, max });
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return { min: level[0]!.min, max: level[0]!.max };
}

