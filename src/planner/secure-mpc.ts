/**
 * The gateway's side of the three-party replicated-sharing runtime hosted by party nodes
 * (src/party/mpc-host.ts). Used where additive sharing alone cannot combine: MIN and MAX
 * (secure comparisons) and distinct counts across parties (an oblivious sort).
 *
 * Compute parties: three party nodes. Candidates are the parties holding the table's
 * partitions (by name), then every other party server of the catalog (helpers, by name);
 * the first three that answer are chosen. Fewer than three registered → 0A000; fewer
 * than three reachable → HV00N. Their party-to-party links (a "mesh", mutual TLS with the
 * federation's certificates) are kept between queries and reopened when a party
 * restarted or a computation failed.
 *
 * A run: data parties split their inputs additively and send one share to each compute
 * party; each compute party turns them into replicated shares with the other two,
 * computes, and sends the gateway its re-randomised output share; the gateway adds the
 * three. A failure anywhere (a party killed, stopped, a link broken, a malformed frame)
 * fails the query with 08006 as soon as the first party reports it — a stalled party is
 * detected by the others' round timeout (ROUND_TIMEOUT_MS) — and nothing is revealed.
 */
import { randomUUID } from 'node:crypto';
import { averageOf } from '../mpc/average.js';
import { openOutputShares, outputWidths, type ReaggregateReveal } from '../mpc/reaggregate.js';
import type { MpcHelloResponse, MpcProgram, MpcRunResponse } from '../party/party-service.js';
import { PgError, toPgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { Expr } from './fragment.js';
import type { FederatedPartition, MpcParties, PartyDirectory, SecureParties } from './federation.js';
import type { SecurePartials } from './partial-aggregate.js';
import { totals, type SecureUse } from './secure-aggregate.js';

/** How long one MPC round may wait for a peer before the computation stops. */
export const ROUND_TIMEOUT_MS = 4000;
/** How long compute parties wait for the data parties' shares (their engines run first). */
const SHARES_TIMEOUT_MS = 30_000;
const HELLO_TIMEOUT_MS = 3000;
const PREPARE_TIMEOUT_MS = 10_000;

/** Epoch per triple of compute parties: bumped after a failure, so that all three reopen their links. */
const epochs = new Map<string, number>();
const opening = new Map<string, Promise<unknown>>();
/** Part of every mesh key: a restarted gateway never takes a mesh some parties kept for being current. */
const gatewayRun = randomUUID().slice(0, 8);

interface Mesh {
  /** Server names at the gateway, in party-index order. */
  servers: string[];
  key: string;
  triple: string;
}

/** The compute parties EXPLAIN names: the data parties by name, then helpers by name, first three. */
export function plannedComputeParties(partitions: readonly FederatedPartition[], servers: readonly string[]): string[] {
  const data = [...new Set(partitions.map((p) => p.party))].sort();
  return [...data, ...servers.filter((s) => !data.includes(s)).sort()].slice(0, 3);
}

/**
 * Whether a secure aggregation runs on the replicated runtime: when it needs comparisons
 * (MIN/MAX; a SUM's or AVG's empty flag instead of its count; AVG's division), or when
 * the table has partitions at fewer than three parties (the additive path's compute
 * parties are the table's own; here a helper node completes the three). The additive
 * path is left with counts alone, which it reveals as they are: the answer.
 */
export function runsReplicated(secure: Pick<SecurePartials, 'kinds' | 'nonzero' | 'averages'>, allPartitions: readonly FederatedPartition[]): boolean {
  return secure.kinds.some((k) => k !== 'add') || secure.nonzero.length > 0 || secure.averages.length > 0 || new Set(allPartitions.map((p) => p.party)).size < 3;
}

export function secureMpcExplainLine(partitions: readonly FederatedPartition[], parties: PartyDirectory): string {
  const compute = plannedComputeParties(partitions, parties.secure?.mpc?.servers() ?? []);
  return (
    `Secure aggregation (replicated 3-party secret sharing over Z_2^64, secure comparisons for MIN/MAX, secret division for AVG) at compute parties ${compute.join(', ')}: ` +
    'each party splits its partial aggregates additively to them; they re-share and combine; only per-group results are revealed, to the gateway (an empty group as a flag, not a count)'
  );
}

function mpcOf(parties: PartyDirectory): { secure: SecureParties; mpc: MpcParties } {
  const secure = parties.secure;
  if (!secure?.mpc) throw new PgError(SqlState.featureNotSupported, 'this gateway cannot run secure computations');
  return { secure, mpc: secure.mpc };
}

/** Chooses three reachable compute parties and makes sure their links are up. */
async function openMesh(secure: SecureParties, mpc: MpcParties, dataParties: readonly string[]): Promise<Mesh> {
  const data = [...new Set(dataParties)].sort();
  const servers = mpc.servers();
  const candidates = [...data, ...servers.filter((s) => !data.includes(s)).sort()];
  if (candidates.length < 3) {
    throw new PgError(SqlState.featureNotSupported, `secure computation needs three party nodes; the federation has ${candidates.length}`, {
      hint: 'Three-party secret sharing needs three compute parties: register a third party node (CREATE SERVER … FOREIGN DATA WRAPPER c2d) to act as helper; it needs no data.',
    });
  }
  const hellos = await Promise.allSettled(candidates.map((c) => mpc.hello(c, HELLO_TIMEOUT_MS)));
  const chosen: Array<{ server: string; hello: MpcHelloResponse }> = [];
  hellos.forEach((h, i) => {
    if (h.status === 'fulfilled' && chosen.length < 3) chosen.push({ server: candidates[i]!, hello: h.value });
  });
  if (chosen.length < 3) {
    const down = hellos.flatMap((h, i) => (h.status === 'rejected' ? [`${candidates[i]} (${toPgError(h.reason).message})`] : []));
    throw new PgError(SqlState.fdwUnableToEstablishConnection, `secure computation needs three reachable party nodes; ${chosen.length} answered`, {
      detail: `Unreachable: ${down.join('; ')}`,
      hint: 'Start the missing party nodes, or register another party node to act as helper.',
    });
  }
  const names = chosen.map((c) => secure.computeParty(c.server).name);
  const triple = names.join('/');
  const keyOf = (epoch: number): string => `${triple}#${chosen.map((c) => c.hello.instance).join('/')}#${gatewayRun}.${epoch}`;
  const current = keyOf(epochs.get(triple) ?? 0);
  const mesh = { servers: chosen.map((c) => c.server), triple, key: current };
  if (chosen.every((c) => c.hello.meshKey === current && c.hello.healthy)) return mesh;
  // One opening per triple at a time: a second query waits for it instead of reopening again.
  const pending = opening.get(triple);
  if (pending) {
    await pending.catch(() => {});
    return openMesh(secure, mpc, dataParties);
  }
  const epoch = (epochs.get(triple) ?? 0) + 1;
  epochs.set(triple, epoch);
  mesh.key = keyOf(epoch);
  const peers = chosen.map((c, i) => ({ name: names[i]!, host: mpc.hostOf(c.server), port: c.hello.mpcPort }));
  const open = (async () => {
    // Highest index first: each party listens before a lower index dials it.
    for (const self of [2, 1, 0]) await mpc.prepare(chosen[self]!.server, { meshKey: mesh.key, self, parties: peers }, PREPARE_TIMEOUT_MS);
  })();
  opening.set(triple, open);
  try {
    await open;
  } catch (error) {
    throw asComputationFailure(error);
  } finally {
    opening.delete(triple);
  }
  return mesh;
}

/**
 * One computation: the compute parties start waiting for shares, `contribute` makes the
 * data parties send them; resolves to the three output shares, or fails with the first
 * error any party reports.
 */
async function runMpc(
  parties: PartyDirectory,
  dataParties: readonly string[],
  program: MpcProgram,
  contribute: (job: { id: string; computeParties: ReturnType<SecureParties['computeParty']>[] }) => Promise<unknown>[],
): Promise<MpcRunResponse[]> {
  const { secure, mpc } = mpcOf(parties);
  const mesh = await openMesh(secure, mpc, dataParties);
  const id = randomUUID();
  const job = { id, computeParties: mesh.servers.map((s) => secure.computeParty(s)) };
  const contributors = [...new Set(dataParties)].map((p) => secure.computeParty(p).name);
  const runs = mesh.servers.map((s) =>
    mpc.run(s, { meshKey: mesh.key, computationId: id, contributors, program, timeoutMs: SHARES_TIMEOUT_MS, roundTimeoutMs: ROUND_TIMEOUT_MS }, SHARES_TIMEOUT_MS + 120_000),
  );
  const all = [...contribute(job), ...runs];
  for (const p of all) p.catch(() => {});
  try {
    await Promise.all(all);
  } catch (error) {
    epochs.set(mesh.triple, (epochs.get(mesh.triple) ?? 0) + 1);
    throw asComputationFailure(error);
  }
  return (await Promise.all(runs)).map(checkResponse);
}

/** A compute party's answer, checked before use: keys are arrays of text or NULL, the share 64-bit words. */
function checkResponse(r: MpcRunResponse): MpcRunResponse {
  const bad = (): never => {
    throw new PgError(SqlState.protocolViolation, 'a compute party sent a malformed result');
  };
  if (!r || !Array.isArray(r.keys) || !Array.isArray(r.share)) bad();
  if (!r.keys.every((k) => Array.isArray(k) && k.every((v) => v === null || typeof v === 'string'))) bad();
  if (!r.share.every((v) => typeof v === 'bigint' && v >= 0n && v < 1n << 64n)) bad();
  return r;
}

/** Link and party failures become 08006 with a message a person can act on; a party's own refusal (42501, …) passes as is. */
function asComputationFailure(error: unknown): PgError {
  const e = toPgError(error);
  if (!/^(08|HV|57|XX|40)/.test(e.code) && e.code !== SqlState.protocolViolation) return e;
  return new PgError(SqlState.connectionFailure, `secure computation failed: ${e.message}`, {
    detail: 'A compute party stopped, was unreachable or broke the protocol; every party ended the computation and nothing was revealed.',
    hint: 'Run the query again once the parties are up; the links between them are set up again.',
  });
}

/** Sums, MIN/MAX and averages (and the empty flags beside them) per group, re-aggregated by the replicated runtime. */
export async function secureMpcAggregate(use: SecureUse, parties: PartyDirectory): Promise<unknown[][]> {
  if (use.partitions.length === 0) return [];
  const { secure } = mpcOf(parties);
  const { kinds, bits, nonzero, averages, averageBits } = use.secure;
  const reveal: ReaggregateReveal = { nonzero, averages, averageBits };
  const keyed = use.work.some((c) => c.source === 'key');
  const dataParties = use.partitions.map((p) => p.party);
  const responses = await runMpc(parties, dataParties, { kind: 'reaggregate', kinds, bits, reveal }, (job) =>
    use.partitions.map((p) =>
      secure.secureExecute(
        p.party,
        {
          fragment: { ...use.fragment, table: { schema: '', name: use.exportedTable(p) } },
          secret: use.secure.secret,
          scales: use.secure.scales,
          kinds,
          bits,
          keyPrefix: keyed ? [p.value] : [],
          job,
        },
        SHARES_TIMEOUT_MS,
      ),
    ),
  );
  const keys = responses[0]!.keys;
  const id = JSON.stringify(keys);
  if (responses.some((r) => JSON.stringify(r.keys) !== id)) throw new PgError(SqlState.protocolViolation, 'compute parties disagree on the groups');
  const g = keys.length;
  const widths = outputWidths(kinds.length, reveal);
  const opened = openOutputShares(responses.map((r) => BigUint64Array.from(r.share)), widths.reduce((a, b) => a + b, 0) * g);
  let at = 0;
  const sums = widths.map((width, c): Array<bigint | number> => {
    const vector = (v: number): bigint[] => opened.slice((at + v) * g, (at + v + 1) * g).map((x) => BigInt.asUintN(64, x));
    let column: Array<bigint | number> = vector(0);
    if (width === 2) {
      const fraction = vector(1);
      column = (column as bigint[]).map((integer, i) => averageOf(integer, fraction[i]!) / 10 ** use.secure.scales[c]!);
    }
    at += width;
    return column;
  });
  return totals(use, [{ keys, sums }], keyed);
}

export interface DistinctUse {
  /** The contributing partitions (after pruning). */
  partitions: readonly FederatedPartition[];
  column: string;
  where: Expr | null;
}

/** COUNT(DISTINCT column) over the partitions, and how many of those keys are at two partitions or more. */
export async function secureDistinctCount(use: DistinctUse, parties: PartyDirectory): Promise<{ union: bigint; atLeastTwo: bigint }> {
  if (use.partitions.length === 0) return { union: 0n, atLeastTwo: 0n };
  const { secure, mpc } = mpcOf(parties);
  const dataParties = use.partitions.map((p) => p.party);
  if (new Set(dataParties).size !== dataParties.length) {
    throw new PgError(SqlState.featureNotSupported, 'a secure distinct count needs each partition at a different party');
  }
  const responses = await runMpc(parties, dataParties, { kind: 'distinct-count' }, (job) =>
    use.partitions.map((p) => mpc.secureKeys(p.party, { table: p.exportedTable, column: use.column, where: use.where, job }, SHARES_TIMEOUT_MS)),
  );
  const [union, atLeastTwo] = openOutputShares(responses.map((r) => BigUint64Array.from(r.share)), 2);
  return { union: BigInt.asUintN(64, union!), atLeastTwo: BigInt.asUintN(64, atLeastTwo!) };
}
