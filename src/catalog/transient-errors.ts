/**
 * Errors that mean "another gateway got there first, try again": a locked SQLite file,
 * a PostgreSQL serialization failure or deadlock, or a unique violation from a race the
 * catalog's lock should have prevented. A transaction that hit one changed nothing, and
 * every catalog transaction is a function of what it reads, so rerunning it is safe.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const TRANSIENT_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', '40001', '40P01', '23505']);

/**
 * Also while migrating: two gateways creating knex's bookkeeping tables at once may see
 * "already exists" (PostgreSQL's 42P07 for the table, 42710 for its row type; SQLite's
 * generic SQLITE_ERROR). The migrations
 * themselves run under knex's lock and re-check what is done, so a retry is safe.
 */
function isMigrationRace(code: string, message: string): boolean {
  return code === '42P07' || code === '42710' || (code === 'SQLITE_ERROR' && / already exists$/.test(message));
}

export function isTransient(error: unknown, migrating = false): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  const message = String((error as { message?: unknown }).message);
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || (migrating && isMigrationRace(code, message)))) return true;
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
