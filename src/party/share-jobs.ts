/**
 * A compute party's side of a secure aggregation: it keeps the shares each contributor
 * sends for a job (a contributor is the authenticated certificate name of the sender,
 * never a name in the message), and when the gateway asks, adds them share-wise per group
 * and returns its sums. A sum of shares from one compute party is uniformly random; only
 * the gateway, adding the three parties' sums, sees the totals.
 *
 * Jobs are bounded: at most MAX_JOBS at once, each dropped after JOB_TTL_MS, and a reveal
 * waits at most its timeout for missing contributors, then fails and forgets the job.
 */
import { addInto } from '../mpc/additive-shares.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { AcceptSharesRequest, RevealResponse } from './party-service.js';

const MAX_JOBS = 256;
const JOB_TTL_MS = 120_000;
const MAX_GROUPS = 1_000_000;

export interface Contribution {
  keys: Array<Array<string | null>>;
  shares: BigUint64Array[];
}

interface Job {
  created: number;
  contributions: Map<string, Contribution>;
  /** Wakes a waiting reveal when a contribution arrives. */
  arrived: (() => void) | null;
}

export class ShareJobs {
  private readonly jobs = new Map<string, Job>();

  accept(from: string, request: AcceptSharesRequest): void {
    this.expire();
    const { jobId, keys, shares } = request;
    if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 64) throw malformed('job id');
    if (!Array.isArray(keys) || keys.length > MAX_GROUPS || !keys.every((k) => Array.isArray(k) && k.every((v) => v === null || typeof v === 'string'))) {
      throw malformed('group keys');
    }
    if (!Array.isArray(shares) || shares.length > 1024 || !shares.every((col) => Array.isArray(col) && col.length === keys.length && col.every((v) => typeof v === 'bigint' && v >= 0n && v < 1n << 64n))) {
      throw malformed('shares');
    }
    let job = this.jobs.get(jobId);
    if (!job) {
      if (this.jobs.size >= MAX_JOBS) throw new PgError(SqlState.configLimitExceeded, 'too many secure computations at once');
      job = { created: Date.now(), contributions: new Map(), arrived: null };
      this.jobs.set(jobId, job);
    }
    if (job.contributions.has(from)) throw new PgError(SqlState.protocolViolation, `party "${from}" already sent shares for this computation`);
    job.contributions.set(from, { keys, shares: shares.map((col) => BigUint64Array.from(col)) });
    job.arrived?.();
  }

  /** Waits for every contributor's shares, then returns the share-wise sums per group and forgets the job. */
  async reveal(jobId: string, contributors: readonly string[], timeoutMs: number): Promise<RevealResponse> {
    return sumByGroup(await this.collect(jobId, contributors, timeoutMs));
  }

  /**
   * Waits for every contributor's shares (at most `timeoutMs`, capped at a minute), then
   * returns them in the order of `contributors` and forgets the job.
   */
  async collect(jobId: string, contributors: readonly string[], timeoutMs: number): Promise<Contribution[]> {
    const deadline = Date.now() + Math.min(Math.max(timeoutMs, 0), 60_000);
    let job = this.jobs.get(jobId);
    if (!job) {
      job = { created: Date.now(), contributions: new Map(), arrived: null };
      this.jobs.set(jobId, job);
    }
    try {
      while (!contributors.every((c) => job!.contributions.has(c))) {
        const left = deadline - Date.now();
        if (left <= 0) {
          const missing = contributors.filter((c) => !job!.contributions.has(c));
          throw new PgError(SqlState.fdwUnableToEstablishConnection, `secure computation stopped: no shares from ${missing.map((m) => `"${m}"`).join(', ')} in time`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          job!.arrived = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return contributors.map((c) => job!.contributions.get(c)!);
    } finally {
      this.jobs.delete(jobId);
    }
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, job] of this.jobs) if (now - job.created > JOB_TTL_MS && job.arrived === null) this.jobs.delete(id);
  }
}

function sumByGroup(contributions: readonly Contribution[]): RevealResponse {
  const columns = contributions[0]?.shares.length ?? 0;
  if (contributions.some((c) => c.shares.length !== columns)) throw malformed('share columns');
  const index = new Map<string, number>();
  const keys: Array<Array<string | null>> = [];
  for (const c of contributions) {
    for (const key of c.keys) {
      const id = JSON.stringify(key);
      if (!index.has(id)) {
        index.set(id, keys.length);
        keys.push(key);
      }
    }
  }
  const sums = Array.from({ length: columns }, () => new BigUint64Array(keys.length));
  for (const c of contributions) {
    const positions = c.keys.map((key) => index.get(JSON.stringify(key))!);
    for (let col = 0; col < columns; col++) {
      const aligned = new BigUint64Array(keys.length);
      c.shares[col]!.forEach((share, row) => {
        aligned[positions[row]!] = aligned[positions[row]!]! + share;
      });
      addInto(sums[col]!, aligned);
    }
  }
  return { keys, sums: sums.map((col) => [...col]) };
}

function malformed(what: string): PgError {
  return new PgError(SqlState.protocolViolation, `malformed shares message: ${what}`);
}
