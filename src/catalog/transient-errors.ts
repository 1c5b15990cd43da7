/**
 * Errors that mean "another gateway got there first, try again": a locked SQLite file,
 * a PostgreSQL serialization failure or deadlock, or a unique violation from a race the
 * catalog's lock should have prevented. A transaction that hit one changed nothing, and
 * every catalog transaction is a function of what it reads, so rerunning it is safe.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const TRANSIENT_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', '40001', '40P01', '23505']);

/**
 * Also while migrating: two gateways creating the knex bookkeeping tables at once may
 * see PostgreSQL's "relation already exists" (42P07).
 */
const MIGRATION_RACE_CODES = new Set(['42P07']);

export function isTransient(error: unknown, migrating = false): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || (migrating && MIGRATION_RACE_CODES.has(code)))) return true;
  // knex's migrator refuses to run while another process holds its lock.
  return (error as { name?: unknown }).name === 'MigrationLocked';
}

/** Runs `attempt` until it succeeds, fails for good, or `budgetMs` has passed. */
export async function retryTransient<T>(attempt: () => Promise<T>, options: { migrating?: boolean; budgetMs?: number } = {}): Promise<T> {
  const budgetMs = options.budgetMs ?? 15_000;
  const deadline = Date.now() + budgetMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 250)) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error, options.migrating) || Date.now() + delay > deadline) throw error;
      // Jitter keeps two gateways that collided from colliding again in lockstep.
      await sleep(delay / 2 + Math.random() * delay);
    }
  }
}
