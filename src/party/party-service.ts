/**
 * The gateway ↔ party RPC, defined for @grpc/grpc-js without generated code: two methods,
 * messages in wire-format.ts. gRPC gives mutual TLS, per-call deadlines, cancellation and
 * flow control on the result stream.
 */
import type { ReaggregateReveal } from '../mpc/reaggregate.js';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { decodeJson, encodeJson } from './wire-format.js';
import type { Fragment } from '../planner/fragment.js';
import type { RemoteColumn } from '../../connectors/connector.js';

export type ColumnPolicy = 'public' | 'protected';

export interface ExportedColumn extends RemoteColumn {
  policy: ColumnPolicy;
}

export interface DescribeRequest {
  /** One exported table, or all when absent. */
  table?: string;
}

export interface DescribeResponse {
  party: string;
  engine: string;
  tables: Array<{ name: string; columns: ExportedColumn[] }>;
}

export interface ExecuteRequest {
  fragment: Fragment;
}

/** A compute party of a secure aggregation: its name (as its certificate says) and where it listens. */
export interface ComputeParty {
  name: string;
  address: string;
}

/**
 * Run a grouping fragment and secret-share its aggregates: the `secret` outputs (by index)
 * are split into additive shares, one per compute party, sent straight to them; the
 * gateway gets only a count of groups back.
 */
export interface SecureExecuteRequest {
  fragment: Fragment;
  secret: number[];
  /** Decimal digits kept of each secret output (fixed point), in the order of `secret`. */
  scales: number[];
  /** Values put in front of each group key (the partition key's value, as text). */
  keyPrefix: Array<string | null>;
  /**
   * How each secret output combines, in the order of `secret` (default: all 'add'). A NULL
   * min or max is sent as the identity of its combination, not 0.
   */
  kinds?: Array<'add' | 'min' | 'max'>;
  /**
   * The range the compute parties compare MIN/MAX partials in: each lies in
   * [−2^(bits−1), 2^(bits−1)) (default 64). A partial outside it is an error (22003), not a
   * wrong answer; a NULL one is sent as that range's identity.
   */
  bits?: number;
  job: { id: string; computeParties: ComputeParty[] };
}

/**
 * A data party's keys for a secure distinct count: the distinct non-NULL values of
 * `column` (rows passing `where`, which reads public columns only), each hashed to 64
 * bits, split additively and sent to the compute parties like partial aggregates.
 */
export interface SecureKeysRequest {
  table: string;
  column: string;
  where: Fragment['where'];
  job: { id: string; computeParties: ComputeParty[] };
}

/** Where the party listens for the gateway's fragments (fragment-link.ts), on its gRPC host. */
export interface LinksResponse {
  fragmentPort: number;
}

/** A compute party's MPC identity: its process instance, MPC port and current mesh. */
export interface MpcHelloResponse {
  instance: string;
  mpcPort: number;
  meshKey: string | null;
  healthy: boolean;
}

/** Where the three compute parties of a mesh listen for party-to-party MPC links (mutual TLS). */
export interface MpcPeer {
  name: string;
  host: string;
  port: number;
}

/** Open (or keep) the party-to-party links of a mesh: this party is `parties[self]`. */
export interface MpcPrepareRequest {
  meshKey: string;
  self: number;
  parties: MpcPeer[];
}

/**
 * What a compute party computes once the contributors' additive shares have reached it.
 * `bits`: the MIN/MAX partials lie in [−2^(bits−1), 2^(bits−1)) (from their column's type;
 * 64 when absent). `reveal`: counts revealed only as nonzero flags, sums as averages
 * (reaggregate.ts).
 */
export type MpcProgram = { kind: 'reaggregate'; kinds: Array<'add' | 'min' | 'max'>; bits?: number; reveal?: ReaggregateReveal } | { kind: 'distinct-count' };

export interface MpcRunRequest {
  meshKey: string;
  /** Also the job id the contributors send their shares under. */
  computationId: string;
  contributors: string[];
  program: MpcProgram;
  /** How long to wait for contributors' shares. */
  timeoutMs: number;
  /** How long one MPC round may wait for a peer. */
  roundTimeoutMs: number;
}

/** This compute party's output share (re-randomised), and the group keys it is over. */
export interface MpcRunResponse {
  keys: Array<Array<string | null>>;
  share: bigint[];
}

export interface SecureExecuteResponse {
  groups: number;
}

/** One contributor's shares for one compute party: group keys in PostgreSQL text form, shares column-major. */
export interface AcceptSharesRequest {
  jobId: string;
  keys: Array<Array<string | null>>;
  shares: bigint[][];
}

/** The compute party's share-wise sums, once every named contributor has sent its shares. */
export interface RevealRequest {
  jobId: string;
  contributors: string[];
  timeoutMs: number;
}

export interface RevealResponse {
  keys: Array<Array<string | null>>;
  sums: bigint[][];
}

const json = <Req, Res>(path: string) => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: (r: Req) => encodeJson(r),
  requestDeserialize: (b: Buffer) => decodeJson<Req>(b),
  responseSerialize: (r: Res) => encodeJson(r),
  responseDeserialize: (b: Buffer) => decodeJson<Res>(b),
}) as const;

export const partyService = {
  describe: json<DescribeRequest, DescribeResponse>('/c2d.Party/Describe'),
  secureExecute: json<SecureExecuteRequest, SecureExecuteResponse>('/c2d.Party/SecureExecute'),
  acceptShares: json<AcceptSharesRequest, Record<string, never>>('/c2d.Party/AcceptShares'),
  reveal: json<RevealRequest, RevealResponse>('/c2d.Party/Reveal'),
  secureKeys: json<SecureKeysRequest, SecureExecuteResponse>('/c2d.Party/SecureKeys'),
  mpcHello: json<Record<string, never>, MpcHelloResponse>('/c2d.Party/MpcHello'),
  mpcPrepare: json<MpcPrepareRequest, Record<string, never>>('/c2d.Party/MpcPrepare'),
  mpcRun: json<MpcRunRequest, MpcRunResponse>('/c2d.Party/MpcRun'),
  links: json<Record<string, never>, LinksResponse>('/c2d.Party/Links'),
} satisfies ServiceDefinition;

/** gRPC metadata key carrying the SQLSTATE of an error. */
export const SQLSTATE_METADATA = 'c2d-sqlstate';
