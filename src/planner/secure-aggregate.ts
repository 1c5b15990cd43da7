/**
 * Secure re-aggregation (Conclave): when an aggregate reads a protected column, each data
 * party groups and aggregates its own rows locally, then secret-shares every partial
 * aggregate additively to three compute parties (party-to-party, mutual TLS). This is the
 * additive path, for counts alone (SUM, AVG, MIN and MAX run on the replicated runtime,
 * secure-mpc.ts, which opens only the answer): each compute party adds the shares it
 * received per group and sends its sums to the gateway, which adds the three sums.
 *
 * Revealed, and to whom: the gateway learns each group's counts over all partitions (per
 * partition when the query groups by the partition key) — the answer — and how many groups
 * each party has; compute parties learn the group keys each party has (values of public
 * columns) and nothing of the aggregates (their shares are uniformly random). Semi-honest
 * parties, no collusion between the gateway and a compute party.
 */
import { randomUUID } from 'node:crypto';
import { fromRing } from '../mpc/additive-shares.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { defaultCodecContext, textDecoder, TypeOid } from '../sql/types/index.js';
import type { Fragment } from './fragment.js';
import type { FederatedPartition, PartyDirectory } from './federation.js';
import type { SecurePartials } from './partial-aggregate.js';

const TIMEOUT_MS = 30_000;

export interface SecureUse {
  fragment: Omit<Fragment, 'table'>;
  secure: SecurePartials;
  /** The work columns and where each comes from: the partition key or an output index. */
  work: ReadonlyArray<{ typeOid: number; typmod: number; source: number | 'key' }>;
  /** The partitions that contribute (after pruning). */
  partitions: readonly FederatedPartition[];
  /** Every partition of the table: its parties are the candidates for compute parties. */
  allPartitions: readonly FederatedPartition[];
  exportedTable(partition: FederatedPartition): string;
}

/** The three compute parties of a table: the first three of its partitions' parties by name (fewer when it has fewer). */
export function computePartiesOf(partitions: readonly FederatedPartition[]): string[] {
  return [...new Set(partitions.map((p) => p.party))].sort().slice(0, 3);
}

/** Runs the secure aggregation; resolves to the work rows (one per group) with the totals. */
export async function secureAggregate(use: SecureUse, parties: PartyDirectory): Promise<unknown[][]> {
  const secure = parties.secure;
  if (!secure) throw new PgError(SqlState.featureNotSupported, 'this gateway cannot run secure computations');
  const dataParties = [...new Set(use.partitions.map((p) => p.party))];
  const compute = computePartiesOf(use.allPartitions);
  if (compute.length < 3) {
    throw new PgError(SqlState.featureNotSupported, `secure aggregation needs three parties; table has partitions at ${compute.length}`, {
      hint: 'Three-party secret sharing needs three compute parties: the table needs partitions at three parties.',
    });
  }
  if (use.partitions.length === 0) return [];
  const computeParties = compute.map((p) => secure.computeParty(p));
  const contributors = dataParties.map((p) => secure.computeParty(p).name);
  const job = { id: randomUUID(), computeParties };
  const keyed = use.work.some((c) => c.source === 'key');
  const reveals = compute.map((p) => secure.reveal(p, { jobId: job.id, contributors, timeoutMs: TIMEOUT_MS }));
  const executes = use.partitions.map((p) =>
    secure.secureExecute(
      p.party,
      {
        fragment: { ...use.fragment, table: { schema: '', name: use.exportedTable(p) } },
        secret: use.secure.secret,
        scales: use.secure.scales,
        keyPrefix: keyed ? [p.value] : [],
        job,
      },
      TIMEOUT_MS,
    ),
  );
  const settled = await Promise.allSettled([...executes, ...reveals]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const sums = (settled.slice(executes.length) as Array<PromiseFulfilledResult<Awaited<(typeof reveals)[number]>>>).map((s) => s.value);
  return totals(use, sums, keyed);
}

/**
 * The work rows from per-group sums of ring elements (one part per compute party, added
 * here), or from one part of opened results where an average is already a float8.
 */
export function totals(use: SecureUse, sums: ReadonlyArray<{ keys: Array<Array<string | null>>; sums: ReadonlyArray<ReadonlyArray<bigint | number>> }>, keyed: boolean): unknown[][] {
  const rows = new Map<string, { key: Array<string | null>; values: Array<bigint | number> }>();
  for (const part of sums) {
    if (part.sums.length !== use.secure.secret.length) throw new PgError(SqlState.protocolViolation, 'a compute party sent the wrong number of sums');
    part.keys.forEach((key, g) => {
      const id = JSON.stringify(key);
      let row = rows.get(id);
      if (!row) rows.set(id, (row = { key, values: use.secure.secret.map(() => 0n) }));
      part.sums.forEach((column, k) => {
        const value = column[g]!;
        row!.values[k] = typeof value === 'number' ? value : BigInt.asUintN(64, (row!.values[k] as bigint) + BigInt(value));
      });
    });
  }
  const plain = use.fragment.output.map((_o, i) => i).filter((i) => !use.secure.secret.includes(i));
  const prefix = keyed ? 1 : 0;
  const decoders = use.work.map((c) => textDecoder(c.typeOid));
  return [...rows.values()].map(({ key, values }) =>
    use.work.map((column, c) => {
      if (column.source === 'key') return key[0] === null || key[0] === undefined ? null : decoders[c]!(key[0], defaultCodecContext);
      const k = use.secure.secret.indexOf(column.source);
      if (k < 0) {
        const text = key[prefix + plain.indexOf(column.source)];
        return text === null || text === undefined ? null : decoders[c]!(text, defaultCodecContext);
      }
      const countIndex = use.secure.countOf.get(column.source);
      // A count or, from the replicated runtime, its nonzero flag.
      if (countIndex !== undefined && fromRing(values[use.secure.secret.indexOf(countIndex)] as bigint) === 0n) return null;
      const value = values[k]!;
      return typeof value === 'number' ? value : decodeTotal(fromRing(value), use.secure.scales[k]!, column.typeOid);
    }),
  );
}

/** A fixed-point total in the partial column's representation (int8 as bigint, numeric as text). */
function decodeTotal(value: bigint, scale: number, typeOid: number): unknown {
  if (typeOid === TypeOid.int2 || typeOid === TypeOid.int4) return Number(value);
  if (typeOid !== TypeOid.numeric) return value;
  if (scale === 0) return value.toString();
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
