/**
 * The gateway ↔ party RPC, defined for @grpc/grpc-js without generated code: two methods,
 * messages in wire-format.ts. gRPC gives mutual TLS, per-call deadlines, cancellation and
 * flow control on the result stream.
 */
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

const passBuffer = (b: Buffer): Buffer => b;

export const partyService = {
  describe: {
    path: '/c2d.Party/Describe',
    requestStream: false,
    responseStream: false,
    requestSerialize: (r: DescribeRequest) => encodeJson(r),
    requestDeserialize: (b: Buffer) => decodeJson<DescribeRequest>(b),
    responseSerialize: (r: DescribeResponse) => encodeJson(r),
    responseDeserialize: (b: Buffer) => decodeJson<DescribeResponse>(b),
  },
  execute: {
    path: '/c2d.Party/Execute',
    requestStream: false,
    responseStream: true,
    requestSerialize: (r: ExecuteRequest) => encodeJson(r),
    requestDeserialize: (b: Buffer) => decodeJson<ExecuteRequest>(b),
    // Result messages are encoded by a stateful ResultEncoder per call, so they travel as bytes.
    responseSerialize: passBuffer,
    responseDeserialize: passBuffer,
  },
} satisfies ServiceDefinition;

/** gRPC metadata key carrying the SQLSTATE of an error. */
export const SQLSTATE_METADATA = 'c2d-sqlstate';
