/**
 * What the planner needs to know about the federation: federated tables (a table whose
 * rows live in partitions at parties) and how to reach each party. The catalog provides
 * the tables; party clients provide the reach.
 */
import type { FragmentStream, RemoteColumn } from '../../connectors/connector.js';
import type { Fragment } from './fragment.js';
import type {
  ComputeParty,
  MpcHelloResponse,
  MpcPrepareRequest,
  MpcRunRequest,
  MpcRunResponse,
  RevealRequest,
  RevealResponse,
  SecureExecuteRequest,
  SecureExecuteResponse,
  SecureKeysRequest,
} from '../party/party-service.js';

export interface FederatedPartition {
  /** The party holding this partition's rows. */
  party: string;
  /** The table's name as that party exports it. */
  exportedTable: string;
  /** The partition key value of these rows as text (FOR VALUES IN ('bmc')); null for NULL or no key. */
  value: string | null;
}

/** A federated table's column; `protected` when a `protected` security label is on it. */
export interface FederatedColumn extends RemoteColumn {
  protected?: boolean;
}

export interface FederatedTable {
  schema: string;
  name: string;
  /** Every column, the partition key included, with PostgreSQL types. */
  columns: FederatedColumn[];
  /** The LIST partition key column (its values are not stored at the parties), or null. */
  partitionKey: string | null;
  partitions: FederatedPartition[];
}

export interface FederationView {
  /** The federated table `schema.name` refers to, or undefined when it is not one. */
  table(schema: string | undefined, name: string): FederatedTable | undefined;
}

export interface PartyDirectory {
  execute(party: string, fragment: Fragment, signal: AbortSignal): Promise<FragmentStream>;
  /** The engine a party runs ('duckdb', 'postgres', 'spark'), for EXPLAIN. */
  engineOf?(party: string): Promise<string>;
  /** Secure aggregation across parties, when the directory can reach them for it. */
  secure?: SecureParties;
}

/** What the gateway asks of parties in a secure aggregation (see src/planner/secure-aggregate.ts). */
export interface SecureParties {
  /** The party's certificate name and address, as other parties reach it. */
  computeParty(party: string): ComputeParty;
  secureExecute(party: string, request: SecureExecuteRequest, timeoutMs: number): Promise<SecureExecuteResponse>;
  reveal(party: string, request: RevealRequest): Promise<RevealResponse>;
  /** The replicated-sharing MPC runtime at party nodes (see src/planner/secure-mpc.ts). */
  mpc?: MpcParties;
}

export interface MpcParties {
  /** Every party server the catalog names (candidates for compute parties and helpers). */
  servers(): string[];
  /** The host a server's party is reached at (its MPC links use the same host). */
  hostOf(party: string): string;
  secureKeys(party: string, request: SecureKeysRequest, timeoutMs: number): Promise<SecureExecuteResponse>;
  hello(party: string, timeoutMs: number): Promise<MpcHelloResponse>;
  prepare(party: string, request: MpcPrepareRequest, timeoutMs: number): Promise<unknown>;
  run(party: string, request: MpcRunRequest, timeoutMs: number): Promise<MpcRunResponse>;
}

/** What one query is planned against: the tables as of one catalog version, and the parties' reach. */
export interface Federation {
  view: FederationView;
  parties: PartyDirectory;
}

/** Gives the federation as it is now (the catalog may change between queries). */
export type FederationSource = () => Promise<Federation>;
