import type { ExchangeOptions, ExchangeStats } from '../net/exchange.js';
import type { PartyEndpoint } from '../net/party-endpoint.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { Party } from './party.js';
import type { RingKernels } from './ring-kernels.js';

/**
 * One compute party's side of one computation over its endpoint (in-process or TLS):
 * opens the exchange, sets up correlated randomness, runs `program`, and always ends the
 * exchange: closed on success, aborted on failure (the peers stop too, with this party's
 * reason), so no buffers outlive the computation. The same computation id must be used
 * at all three parties; the caller (a party node) sends the result, e.g. an output share
 * of `secureAggregateAt`, to its recipient.
 */
export async function runComputation<T>(
  endpoint: PartyEndpoint,
  computationId: string,
  program: (party: Party) => Promise<T>,
  options: ExchangeOptions & { kernels?: RingKernels } = {},
): Promise<{ result: T; stats: ExchangeStats }> {
  const exchange = endpoint.openComputation(computationId, options);
  try {
    const party = await Party.setup(exchange, options.kernels);
    const result = await program(party);
    return { result, stats: { ...exchange.stats } };
  } catch (error) {
    exchange.abort(error instanceof Error ? error.message : String(error));
    throw error instanceof PgError ? error : new PgError(SqlState.internalError, error instanceof Error ? error.message : String(error));
  } finally {
    exchange.close();
  }
}
