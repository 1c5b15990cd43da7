/**
 * The party node: runs next to one data owner's engine, exports chosen tables, and answers
 * the gateway's fragments. Every fragment is checked against the owner's column policies
 * here, whatever the gateway checked: a fragment that reads a protected column is refused
 * with 42501 and nothing runs.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Connector } from '../../connectors/connector.js';
import { emitFragment } from '../../dialect/index.js';
import { columnsReadByTable, type Fragment } from '../planner/fragment.js';
import { checkFragment } from '../planner/fragment-check.js';
import { PgError, toPgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { IssuedCertificate } from './certs.js';
import { ResultEncoder } from './wire-format.js';
import { listenFragmentLink, type ServeFragment } from './fragment-link.js';
import { PartyClient } from './party-client.js';
import { secureExecute, secureKeys } from './secure-execute.js';
import { MpcHost } from './mpc-host.js';
import { ShareJobs } from './share-jobs.js';
import {
  partyService,
  SQLSTATE_METADATA,
  type ColumnPolicy,
  type DescribeRequest,
  type DescribeResponse,
  type ExecuteRequest,
  type ExportedColumn,
  type AcceptSharesRequest,
  type ComputeParty,
  type RevealRequest,
  type RevealResponse,
  type SecureExecuteRequest,
  type SecureExecuteResponse,
  type SecureKeysRequest,
  type MpcHelloResponse,
  type MpcPrepareRequest,
  type MpcRunRequest,
  type MpcRunResponse,
  type LinksResponse,
} from './party-service.js';

/** A LIMIT up to this many rows counts as a small result (connectors may skip a cursor). */
const SMALL_RESULT_ROWS = 100_000n;

export interface ExportedTable {
  /** The name the federation knows the table by. */
  name: string;
  /** Where it is in the owner's engine. */
  remote: { schema: string; name: string };
  /** Policy per column; a column not listed is protected. */
  policies: Readonly<Record<string, ColumnPolicy>>;
}

export interface PartyNodeOptions {
  name: string;
  connector: Connector;
  tables: readonly ExportedTable[];
  tls: IssuedCertificate;
  /** Certificate common names allowed to call (default: "gateway"). */
  allowedPeers?: readonly string[];
  /**
   * Where this node listens for other compute parties' MPC links (mutual TLS); default:
   * the gRPC host, and a free port chosen at start. The gateway learns the port from the node.
   */
  mpc?: { host?: string; port?: number };
  /**
   * Where this node listens for the gateway's fragments (mutual TLS); default: the gRPC
   * host, and a free port chosen at start. The gateway learns the port from the node.
   */
  fragments?: { host?: string; port?: number };
  logger: Logger;
}

export interface PartyNode {
  /** Starts the gRPC service, the fragment link and the MPC listener; resolves to the gRPC port. */
  listen(port: number, host: string): Promise<number>;
  /** The fragment link's and the MPC links' ports, once listening. */
  ports(): { fragments: number; mpc: number } | null;
  close(): Promise<void>;
}

export function createPartyNode(options: PartyNodeOptions): PartyNode {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  const tables = new Map(options.tables.map((t) => [t.name, t]));
  const allowed = new Set(options.allowedPeers ?? ['gateway']);
  const log = options.logger.child({ party: options.name });

  const checkPeer = (call: { getAuthContext(): { sslPeerCertificate?: { subject?: { CN?: string | string[] } } } }): void => {
    const cn = call.getAuthContext().sslPeerCertificate?.subject?.CN;
    if (!cn || !allowed.has(String(cn))) {
      throw new PgError(SqlState.insufficientPrivilege, `peer "${cn ?? 'unknown'}" may not query party "${options.name}"`);
    }
  };

  /** The authenticated name of the calling peer (any member of the federation's CA). */
  const peerName = (call: { getAuthContext(): { sslPeerCertificate?: { subject?: { CN?: string | string[] } } } }): string => {
    const cn = call.getAuthContext().sslPeerCertificate?.subject?.CN;
    if (typeof cn !== 'string' || cn.length === 0) throw new PgError(SqlState.insufficientPrivilege, 'peer without a name');
    return cn;
  };
  const shareJobs = new ShareJobs();
  let mpc: MpcHost | null = null;
  const mpcHost = (): MpcHost => {
    if (!mpc) throw new PgError(SqlState.objectNotInPrerequisiteState, `party "${options.name}" is not listening for MPC links yet`);
    return mpc;
  };
  const peers = new Map<string, PartyClient>();
  const peer = (party: ComputeParty): PartyClient => {
    const key = `${party.name}@${party.address}`;
    let client = peers.get(key);
    if (!client) {
      client = new PartyClient({ name: party.name, address: party.address, tls: options.tls });
      peers.set(key, client);
    }
    return client;
  };
  const unary = <Req, Res>(handler: (call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>): void => {
      handler(call).then(
        (response) => callback(null, response),
        (error: unknown) => callback(toStatus(error)),
      );
    };

  const describeTable = async (table: ExportedTable): Promise<{ name: string; columns: ExportedColumn[] }> => {
    const remote = await options.connector.describeTable(table.remote);
    return { name: table.name, columns: remote.columns.map((c) => ({ ...c, policy: table.policies[c.name] ?? 'protected' })) };
  };

  /** Runs one fragment from the gateway (fragment-link.ts) and writes its result messages. */
  const serveFragment: ServeFragment = async (request, signal, out) => {
    const fragment = checkFragment((request as Partial<ExecuteRequest> | null)?.fragment);
    const table = exported(tables, fragment.table.name);
    const joined = (fragment.joins ?? []).map((j) => ({ alias: j.alias, table: exported(tables, j.table.name) }));
    enforcePolicies(fragment, new Map([[fragment.joins ? fragment.alias! : '', table], ...joined.map((j) => [j.alias, j.table] as const)]));
    const sql = emitFragment(options.connector.dialect, {
      ...fragment,
      table: table.remote,
      ...(fragment.joins ? { joins: fragment.joins.map((j, i) => ({ ...j, table: joined[i]!.table.remote })) } : {}),
    });
    log.debug({ sql }, 'fragment');
    const aggregates = fragment.groupBy.length > 0 || fragment.output.some((o) => o.kind === 'aggregate');
    const smallResult = aggregates || (fragment.limit !== null && fragment.limit <= SMALL_RESULT_ROWS);
    const stream = await options.connector.execute(sql, { signal, smallResult });
    const encoder = new ResultEncoder();
    try {
      // The header goes out with the first batch, and the end message with the last (the
      // next batch is read before one is written, so the last is known as such): written
      // in one turn of the event loop they leave in one TLS write, so a small result costs
      // the gateway one trip.
      const batches = stream.batches()[Symbol.asyncIterator]();
      const header = encoder.encode({ kind: 'header', columns: [...stream.columns] });
      let current = await batches.next();
      let ready: boolean | null = null; // null: the header is not written yet
      for (;;) {
        const following = current.done ? current : await batches.next();
        ready ??= out.write(header);
        if (current.done) break;
        if (!ready) await out.drained();
        ready = out.write(encoder.encode({ kind: 'batch', batch: current.value }));
        current = following;
      }
      out.write(encoder.encode({ kind: 'end' }));
    } finally {
      await stream.close();
    }
  };
  let link: { port: number; close(): void } | null = null;

  server.addService(partyService, {
    secureExecute: unary<SecureExecuteRequest, SecureExecuteResponse>(async (call) => {
      checkPeer(call);
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort());
      return secureExecute(call.request, { connector: options.connector, table: (name) => exported(tables, name), peer, signal: controller.signal });
    }),
    secureKeys: unary<SecureKeysRequest, SecureExecuteResponse>(async (call) => {
      checkPeer(call);
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort());
      return secureKeys(call.request, { connector: options.connector, table: (name) => exported(tables, name), peer, signal: controller.signal });
    }),
    mpcHello: unary<Record<string, never>, MpcHelloResponse>(async (call) => {
      checkPeer(call);
      return mpcHost().hello();
    }),
    mpcPrepare: unary<MpcPrepareRequest, Record<string, never>>(async (call) => {
      checkPeer(call);
      await mpcHost().prepare(call.request);
      return {};
    }),
    mpcRun: unary<MpcRunRequest, MpcRunResponse>(async (call) => {
      checkPeer(call);
      return mpcHost().run(call.request);
    }),
    acceptShares: unary<AcceptSharesRequest, Record<string, never>>(async (call) => {
      shareJobs.accept(peerName(call), call.request);
      return {};
    }),
    reveal: unary<RevealRequest, RevealResponse>(async (call) => {
      checkPeer(call);
      const r = call.request as Partial<RevealRequest> | null;
      if (typeof r?.jobId !== 'string' || !Array.isArray(r.contributors) || !r.contributors.every((c) => typeof c === 'string') || typeof r.timeoutMs !== 'number') {
        throw new PgError(SqlState.protocolViolation, 'malformed reveal request');
      }
      return shareJobs.reveal(r.jobId, r.contributors, r.timeoutMs);
    }),
    describe: unary<DescribeRequest, DescribeResponse>(async (call) => {
      checkPeer(call);
      const requested = (call.request as Partial<DescribeRequest> | null)?.table;
      if (requested !== undefined && typeof requested !== 'string') throw new PgError(SqlState.protocolViolation, 'malformed describe request');
      const wanted = requested === undefined ? [...tables.values()] : [exported(tables, requested)];
      return { party: options.name, engine: options.connector.engine, tables: await Promise.all(wanted.map(describeTable)) };
    }),

    links: unary<Record<string, never>, LinksResponse>(async (call) => {
      checkPeer(call);
      if (!link) throw new PgError(SqlState.objectNotInPrerequisiteState, `party "${options.name}" is not listening for fragments yet`);
      return { fragmentPort: link.port };
    }),
  });

  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        const credentials = grpc.ServerCredentials.createSsl(
          Buffer.from(options.tls.ca),
          [{ private_key: Buffer.from(options.tls.key), cert_chain: Buffer.from(options.tls.cert) }],
          true,
        );
        server.bindAsync(`${host}:${port}`, credentials, (error, bound) => {
          if (error) return reject(error);
          const mpcListenHost = options.mpc?.host ?? host;
          const candidate = new MpcHost({ name: options.name, tls: options.tls, host: mpcListenHost, port: options.mpc?.port ?? 0, shareJobs, logger: log });
          listenFragmentLink({
            tls: options.tls,
            host: options.fragments?.host ?? host,
            port: options.fragments?.port ?? 0,
            allowed,
            serve: serveFragment,
            onError: (e) => log.debug({ err: e }, 'fragment failed'),
          })
            .then((listening) => {
              link = listening;
              return candidate.start();
            })
            .then(() => {
              mpc = candidate;
              resolve(bound);
            }, reject);
        });
      }),
    ports: () => (link && mpc ? { fragments: link.port, mpc: mpc.hello().mpcPort } : null),
    close: () =>
      new Promise((resolve) => {
        for (const client of peers.values()) client.close();
        mpc?.close();
        link?.close();
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 5000).unref();
      }),
  };
}

function exported(tables: ReadonlyMap<string, ExportedTable>, name: string): ExportedTable {
  const table = tables.get(name);
  if (!table) throw new PgError(SqlState.undefinedTable, `relation "${name}" does not exist`);
  return table;
}

/** The owner's rule: only public columns leave in plaintext. */
function enforcePolicies(fragment: Fragment, tablesByAlias: ReadonlyMap<string, ExportedTable>): void {
  for (const [alias, columns] of columnsReadByTable(fragment)) {
    const table = tablesByAlias.get(alias)!;
    for (const column of columns) {
      if ((table.policies[column] ?? 'protected') !== 'public') {
        throw new PgError(SqlState.insufficientPrivilege, `permission denied for column "${column}" of relation "${table.name}"`, {
          detail: 'The column is protected by its owner and cannot be read in plaintext.',
        });
      }
    }
  }
}


function toStatus(error: unknown): Partial<grpc.StatusObject> {
  const e = toPgError(error);
  const metadata = new grpc.Metadata();
  metadata.set(SQLSTATE_METADATA, e.code);
  const code = e.code === SqlState.insufficientPrivilege ? grpc.status.PERMISSION_DENIED : e.code === SqlState.undefinedTable ? grpc.status.NOT_FOUND : grpc.status.UNKNOWN;
  return { code, details: e.message, metadata };
}
