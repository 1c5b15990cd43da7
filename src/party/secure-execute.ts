/**
 * A data party's side of a secure aggregation. It runs a grouping fragment on its own
 * engine (its rows never leave), encodes each aggregate of each group as a 64-bit ring
 * element (fixed point for decimals), splits it into three additive shares and sends share
 * i to compute party i over mutual TLS. The gateway learns nothing from this party but how
 * many groups it has; each compute party sees uniformly random shares and the group keys,
 * which are values of public columns.
 *
 * The party's policy check differs from a plaintext fragment's in one way only: a
 * protected column may be read inside a secret (secret-shared) aggregate. Group keys,
 * filters and every plaintext output must read public columns.
 */
import type { Connector } from '../../connectors/connector.js';
import { emitFragment } from '../../dialect/index.js';
import { splitAdditive, toRing } from '../mpc/additive-shares.js';
import { checkFragment } from '../planner/fragment-check.js';
import { columnsOfExpr, type Fragment } from '../planner/fragment.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { defaultCodecContext, textEncoder } from '../sql/types/index.js';
import type { ExportedTable } from './party-node.js';
import type { ComputeParty, SecureExecuteRequest, SecureExecuteResponse } from './party-service.js';

const MAX_GROUPS = 1_000_000;
const SHARE_TIMEOUT_MS = 30_000;

export interface SecureExecuteContext {
  connector: Connector;
  table(name: string): ExportedTable;
  /** A client to a compute party, authenticated with this party's own certificate. */
  peer(party: ComputeParty): { acceptShares(request: { jobId: string; keys: Array<Array<string | null>>; shares: bigint[][] }, timeoutMs: number): Promise<unknown> };
  signal: AbortSignal;
}

export async function secureExecute(raw: unknown, context: SecureExecuteContext): Promise<SecureExecuteResponse> {
  const request = checkRequest(raw);
  const table = context.table(request.fragment.table.name);
  enforcePolicies(request.fragment, new Set(request.secret), table);
  const sql = emitFragment(context.connector.dialect, { ...request.fragment, table: table.remote });
  const stream = await context.connector.execute(sql, { signal: context.signal, smallResult: true });
  const plainIndexes = request.fragment.output.map((_o, i) => i).filter((i) => !request.secret.includes(i));
  const encoders = stream.columns.map((c) => textEncoder(c.typeOid));
  const keys: Array<Array<string | null>> = [];
  const secretValues: bigint[][] = request.secret.map(() => []);
  try {
    for await (const batch of stream.batches()) {
      if (keys.length + batch.rowCount > MAX_GROUPS) throw new PgError(SqlState.programLimitExceeded, `more than ${MAX_GROUPS} groups in a secure aggregation`);
      for (let r = 0; r < batch.rowCount; r++) {
        keys.push([
          ...request.keyPrefix,
          ...plainIndexes.map((i) => {
            const v = batch.columns[i]![r];
            return v === null || v === undefined ? null : encoders[i]!(v, defaultCodecContext);
          }),
        ]);
        request.secret.forEach((i, k) => secretValues[k]!.push(toRing(fixedPoint(batch.columns[i]![r], request.scales[k]!))));
      }
    }
  } finally {
    await stream.close();
  }
  const split = secretValues.map((column) => splitAdditive(BigUint64Array.from(column)));
  await Promise.all(
    request.job.computeParties.map((party, p) =>
      context.peer(party).acceptShares({ jobId: request.job.id, keys, shares: split.map((shares) => [...shares[p]!]) }, SHARE_TIMEOUT_MS),
    ),
  );
  return { groups: keys.length };
}

/** A value as a signed 64-bit integer with `scale` decimal digits kept; NULL counts as 0. */
export function fixedPoint(value: unknown, scale: number): bigint {
  if (value === null || value === undefined) return 0n;
  const factor = 10n ** BigInt(scale);
  let result: bigint;
  if (typeof value === 'bigint') result = value * factor;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) result = BigInt(value) * factor;
  else {
    const text = String(value);
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
    if (!m) throw new PgError(SqlState.datatypeMismatch, `cannot secret-share the value "${text}" as a number`);
    const fraction = (m[3] ?? '').padEnd(scale, '0');
    if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) {
      throw new PgError(SqlState.numericValueOutOfRange, `value ${text} has more than ${scale} decimal digits`);
    }
    result = (BigInt(m[2]!) * factor + BigInt(fraction.slice(0, scale) || '0')) * (m[1] ? -1n : 1n);
  }
  if (result >= 1n << 63n || result < -(1n << 63n)) throw new PgError(SqlState.numericValueOutOfRange, 'aggregate out of range for a secure sum (64-bit)');
  return result;
}

function checkRequest(raw: unknown): SecureExecuteRequest {
  const r = raw as Partial<SecureExecuteRequest> | null;
  const bad = (what: string): never => {
    throw new PgError(SqlState.protocolViolation, `malformed secure request: ${what}`);
  };
  const fragment = checkFragment(r?.fragment);
  if (fragment.joins) bad('a secure fragment reads one table');
  const secret = Array.isArray(r?.secret) ? r!.secret : bad('secret');
  if (secret.length === 0 || secret.some((i) => !Number.isInteger(i) || fragment.output[i]?.kind !== 'aggregate')) bad('secret outputs');
  const scales = Array.isArray(r?.scales) && r!.scales.length === secret.length ? r!.scales : bad('scales');
  if (scales.some((s) => !Number.isInteger(s) || s < 0 || s > 18)) bad('scales');
  const keyPrefix = Array.isArray(r?.keyPrefix) && r!.keyPrefix.length <= 4 ? r!.keyPrefix : bad('key prefix');
  if (keyPrefix.some((v) => v !== null && typeof v !== 'string')) bad('key prefix');
  const job = r?.job;
  if (!job || typeof job.id !== 'string' || !/^[0-9a-f-]{8,64}$/.test(job.id)) bad('job id');
  const parties = Array.isArray(job!.computeParties) && job!.computeParties.length === 3 ? job!.computeParties : bad('compute parties');
  for (const p of parties) {
    if (typeof p?.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(p.name) || typeof p.address !== 'string' || !/^[\w.:[\]-]+:\d{1,5}$/.test(p.address)) bad('compute party');
  }
  return { fragment, secret, scales, keyPrefix, job: { id: job!.id, computeParties: parties } };
}

function enforcePolicies(fragment: Fragment, secret: ReadonlySet<number>, table: ExportedTable): void {
  const plain = new Set<string>();
  fragment.output.forEach((item, i) => {
    if (secret.has(i)) return;
    const e = item.kind === 'expr' ? item.expr : item.aggregate.arg;
    if (e) columnsOfExpr(e, plain);
  });
  if (fragment.where) columnsOfExpr(fragment.where, plain);
  for (const g of fragment.groupBy) columnsOfExpr(g, plain);
  for (const column of plain) {
    if ((table.policies[column] ?? 'protected') !== 'public') {
      throw new PgError(SqlState.insufficientPrivilege, `permission denied for column "${column}" of relation "${table.name}"`, {
        detail: 'A protected column may only be aggregated under secure computation, not filtered, grouped or output in plaintext.',
      });
    }
  }
}
