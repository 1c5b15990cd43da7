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
import { createHash } from 'node:crypto';
import type { Connector } from '../../connectors/connector.js';
import { emitFragment } from '../../dialect/index.js';
import { splitAdditive, toRing } from '../mpc/additive-shares.js';
import { inComparisonRange, isComparisonBits, reaggregateIdentity } from '../mpc/reaggregate.js';
import { checkFragment } from '../planner/fragment-check.js';
import { columnsOfExpr, type Expr, type Fragment } from '../planner/fragment.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { defaultCodecContext, textEncoder } from '../sql/types/index.js';
import type { ExportedTable } from './party-node.js';
import type { ComputeParty, SecureExecuteRequest, SecureExecuteResponse, SecureKeysRequest } from './party-service.js';

const MAX_GROUPS = 1_000_000;
const MAX_KEYS = 1_000_000;

const SHARE_TIMEOUT_MS = 30_000;

export interface SecureExecuteContext {
  connector: Connector;
  table(name: string): ExportedTable;
  /** A client to a compute party, authenticated with this party's own certificate. */
  peer(party: ComputeParty): { acceptShares(request: { jobId: string; keys: Array<Array<string | null>>; shares: bigint[][] }, timeoutMs: number): Promise<unknown> };
  signal: AbortSignal;
}

/**
 * A data party's keys for a secure distinct count: `SELECT column … WHERE … GROUP BY
 * column` on its own engine, each distinct non-NULL value (in PostgreSQL text form)
 * hashed to 64 bits (SHA-256, first 8 bytes; collisions are negligible below ~10^8
 * keys), split additively, one share to each compute party. The party's rule: the key
 * column may be protected (it leaves only as shares); the filter reads public columns.
 */
export async function secureKeys(raw: unknown, context: SecureExecuteContext): Promise<SecureExecuteResponse> {
  const r = raw as Partial<SecureKeysRequest> | null;
  if (typeof r?.table !== 'string' || typeof r.column !== 'string') throw new PgError(SqlState.protocolViolation, 'malformed secure keys request');
  const job = checkJob(r.job);
  const column: Expr = { kind: 'column', name: r.column };
  const fragment = checkFragment({ table: { schema: '', name: r.table }, output: [{ kind: 'expr', expr: column, alias: 'k' }], where: r.where ?? null, groupBy: [column], orderBy: [], limit: null });
  const table = context.table(fragment.table.name);
  enforcePolicies({ ...fragment, output: [], groupBy: [] }, new Set(), table);
  const sql = emitFragment(context.connector.dialect, { ...fragment, table: table.remote });
  const stream = await context.connector.execute(sql, { signal: context.signal, smallResult: false });
  const encode = textEncoder(stream.columns[0]!.typeOid);
  const hashes: bigint[] = [];
  try {
    for await (const batch of stream.batches()) {
      if (hashes.length + batch.rowCount > MAX_KEYS) throw new PgError(SqlState.programLimitExceeded, `more than ${MAX_KEYS} keys in a secure distinct count`);
      for (const v of batch.columns[0]!) {
        if (v === null || v === undefined) continue;
        hashes.push(createHash('sha256').update(encode(v, defaultCodecContext)).digest().readBigUInt64LE(0));
      }
    }
  } finally {
    await stream.close();
  }
  const split = splitAdditive(BigUint64Array.from(hashes));
  const keys = hashes.map(() => []);
  await Promise.all(
    job.computeParties.map((party, p) => context.peer(party).acceptShares({ jobId: job.id, keys, shares: [[...split[p]!]] }, SHARE_TIMEOUT_MS)),
  );
  return { groups: hashes.length };
}

export async function secureExecute(raw: unknown, context: SecureExecuteContext): Promise<SecureExecuteResponse> {
  const request = checkRequest(raw);
  const table = context.table(request.fragment.table.name);
  enforcePolicies(request.fragment, new Set(request.secret), table);
  const sql = emitFragment(context.connector.dialect, { ...request.fragment, table: table.remote });
  const stream = await context.connector.execute(sql, { signal: context.signal, smallResult: true });
  const plainIndexes = request.fragment.output.map((_o, i) => i).filter((i) => !request.secret.includes(i));
  const encoders = stream.columns.map((c) => textEncoder(c.typeOid));
  const kinds = request.kinds ?? request.secret.map(() => 'add' as const);
  const bits = request.bits ?? 64;
  /** A partial as a ring element: NULL as its combination's identity; MIN/MAX checked against the planned range. */
  const ringOf = (v: unknown, k: number): bigint => {
    const kind = kinds[k]!;
    if (v === null || v === undefined) return reaggregateIdentity(kind, bits);
    const value = fixedPoint(v, request.scales[k]!);
    if (kind !== 'add' && !inComparisonRange(value, bits)) {
      throw new PgError(SqlState.numericValueOutOfRange, `value ${value} is out of the ${bits}-bit range planned for a secure ${kind}`, {
        hint: "The column's type at the party differs from the federated table's: recreate the foreign table from the party's current schema.",
      });
    }
    return toRing(value);
  };
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
        request.secret.forEach((i, k) => {
          const v = batch.columns[i]![r];
          secretValues[k]!.push(ringOf(v, k));
        });
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
  if (fragment.having) bad('a secure fragment has no HAVING');
  const secret = Array.isArray(r?.secret) ? r!.secret : bad('secret');
  if (secret.length === 0 || secret.some((i) => !Number.isInteger(i) || fragment.output[i]?.kind !== 'aggregate')) bad('secret outputs');
  const scales = Array.isArray(r?.scales) && r!.scales.length === secret.length ? r!.scales : bad('scales');
  if (scales.some((s) => !Number.isInteger(s) || s < 0 || s > 18)) bad('scales');
  const keyPrefix = Array.isArray(r?.keyPrefix) && r!.keyPrefix.length <= 4 ? r!.keyPrefix : bad('key prefix');
  if (keyPrefix.some((v) => v !== null && typeof v !== 'string')) bad('key prefix');
  const job = r?.job;
  const kinds = r?.kinds;
  if (kinds !== undefined && (!Array.isArray(kinds) || kinds.length !== secret.length || kinds.some((k) => k !== 'add' && k !== 'min' && k !== 'max'))) bad('kinds');
  const bits = r?.bits;
  if (bits !== undefined && !isComparisonBits(bits)) bad('bits');
  return { fragment, secret, scales, keyPrefix, ...(kinds ? { kinds } : {}), ...(bits !== undefined ? { bits } : {}), job: checkJob(job) };
}

function checkJob(job: unknown): SecureExecuteRequest['job'] {
  const bad = (what: string): never => {
    throw new PgError(SqlState.protocolViolation, `malformed secure request: ${what}`);
  };
  const j = job as Partial<SecureExecuteRequest['job']> | null | undefined;
  if (!j || typeof j.id !== 'string' || !/^[0-9a-f-]{8,64}$/.test(j.id)) bad('job id');
  const parties = Array.isArray(j!.computeParties) && j!.computeParties.length === 3 ? j!.computeParties : bad('compute parties');
  for (const p of parties) {
    if (typeof p?.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(p.name) || typeof p.address !== 'string' || !/^[\w.:[\]-]+:\d{1,5}$/.test(p.address)) bad('compute party');
  }
  return { id: j!.id!, computeParties: parties };
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
