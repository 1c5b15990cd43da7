import type { ExchangeOptions, ExchangeStats } from '../net/exchange.js';
import { InProcessNetwork } from '../net/in-process-network.js';
import { PartyEndpoint } from '../net/party-endpoint.js';
import { PARTY_INDICES, type PartyIndex } from '../net/party-index.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { Party } from './party.js';
import { RingKernels } from './ring-kernels.js';

export interface InProcessRun<T> {
  readonly results: [T, T, T];
  /** Per party; includes the one setup round of correlated randomness. */
  readonly stats: [ExchangeStats, ExchangeStats, ExchangeStats];
}

/**
 * Three parties in one process over an InProcessNetwork, for tests and benchmarks:
 * the same Party, Batch and Exchange code as across processes, only the transport
 * differs. Several computations may run one after another (or at once, with distinct
 * ids) on one federation.
 */
export class InProcessFederation {
  readonly network = new InProcessNetwork();
  readonly endpoints: readonly [PartyEndpoint, PartyEndpoint, PartyEndpoint];
  private readonly kernels = [new RingKernels(), new RingKernels(), new RingKernels()] as const;
  private counter = 0;

  constructor() {
    const [t0, t1, t2] = this.network.transports;
    this.endpoints = [new PartyEndpoint(t0), new PartyEndpoint(t1), new PartyEndpoint(t2)];
  }

  /**
   * Runs `program` at all three parties. If any party fails, its exchange aborts, the
   * others' pending rounds fail too, and the first party's error is thrown.
   */
  async run<T>(program: (party: Party) => Promise<T>, options: ExchangeOptions & { computationId?: string } = {}): Promise<InProcessRun<T>> {
    const computationId = options.computationId ?? `c${++this.counter}`;
    const exchanges = PARTY_INDICES.map((p) => this.endpoints[p]!.openComputation(computationId, options));
    const settled = await Promise.allSettled(
      PARTY_INDICES.map(async (p: PartyIndex) => {
        const exchange = exchanges[p]!;
        try {
          const party = await Party.setup(exchange, this.kernels[p]);
          return await program(party);
        } catch (error) {
          exchange.abort(error instanceof Error ? error.message : String(error));
          throw error;
        }
      }),
    );
    for (const exchange of exchanges) exchange.close();
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failures.length > 0) {
      // Prefer the root cause over the "aborted by party i" echoes of it.
      const reasons = failures.map((f) => f.reason as unknown);
      const root = reasons.find((r) => !(r instanceof PgError && r.message.includes('aborted by party'))) ?? reasons[0];
      throw root instanceof Error ? root : new PgError(SqlState.internalError, String(root));
    }
    const results = settled.map((s) => (s as PromiseFulfilledResult<T>).value) as [T, T, T];
    const stats = exchanges.map((e) => ({ ...e.stats })) as [ExchangeStats, ExchangeStats, ExchangeStats];
    return { results, stats };
  }

  async close(): Promise<void> {
    await Promise.all(this.endpoints.map((e) => e.close()));
  }
}
