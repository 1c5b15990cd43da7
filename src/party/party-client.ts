/**
 * The gateway's side of a party link: describe exported tables, run a fragment and read
 * its result as column batches. Errors come back as PgErrors with the party's SQLSTATE;
 * an unreachable party fails within the connect timeout.
 */
import * as grpc from '@grpc/grpc-js';
import type { ColumnBatch, FragmentStream, RemoteColumn } from '../../connectors/connector.js';
import type { Fragment } from '../planner/fragment.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { IssuedCertificate } from './certs.js';
import { ResultDecoder, type ResultMessage } from './wire-format.js';
import { FragmentLinkPool, type LinkCall } from './fragment-link.js';
import {
  partyService,
  SQLSTATE_METADATA,
  type AcceptSharesRequest,
  type DescribeResponse,
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

export interface PartyClientOptions {
  /** The party's name: its certificate must name it. */
  name: string;
  address: string;
  tls: IssuedCertificate;
  connectTimeoutMs?: number;
  /**
   * How long a result stream may stay silent (its engine still computing) before the query
   * is stopped with an error. Default 60 s. A party process that is gone or stopped is
   * noticed sooner, by the fragment link's heartbeats (fragment-link.ts).
   */
  idleTimeoutMs?: number;
}

/**
 * HTTP/2 pings while a call is open: a party that answers none within the timeout (its
 * process stopped, its host gone) ends the call, so a client learns within about twice
 * this, while a party whose engine is merely busy answers pings and keeps its call.
 */
const KEEPALIVE_MS = 4000;

const PartyStub = grpc.makeGenericClientConstructor(partyService, 'Party');

export class PartyClient {
  private stub: grpc.Client & Record<string, Function>;
  private readonly connectTimeoutMs: number;
  /** Result bytes received from the party so far, as they crossed the wire (before TLS). */
  bytesReceived = 0;

  private readonly links: FragmentLinkPool;
  /** The party's fragment-link port, once asked. */
  private fragmentPort: Promise<number> | null = null;
  /** The party's host, where its fragment link listens too. */
  private readonly linkHost: string;

  constructor(private readonly options: PartyClientOptions) {
    this.stub = this.makeStub();
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.links = new FragmentLinkPool({ party: options.name, tls: options.tls, connectTimeoutMs: this.connectTimeoutMs, idleTimeoutMs: options.idleTimeoutMs ?? 60_000 });
    // "host:port", or "[v6]:port".
    const host = options.address.slice(0, options.address.lastIndexOf(':'));
    this.linkHost = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  }

  private makeStub(): grpc.Client & Record<string, Function> {
    const options = this.options;
    const credentials = grpc.credentials.createSsl(Buffer.from(options.tls.ca), Buffer.from(options.tls.key), Buffer.from(options.tls.cert));
    return new PartyStub(options.address, credentials, {
      // The party's certificate names the party, not the address it is reached at.
      'grpc.ssl_target_name_override': options.name,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.keepalive_time_ms': KEEPALIVE_MS,
      'grpc.keepalive_timeout_ms': KEEPALIVE_MS,
    }) as unknown as grpc.Client & Record<string, Function>;
  }

  describe(table?: string): Promise<DescribeResponse> {
    return this.unary('describe', table === undefined ? {} : { table }, 10_000);
  }

  /** Asks a data party to run a grouping fragment and secret-share its aggregates to the compute parties. */
  secureExecute(request: SecureExecuteRequest, timeoutMs: number): Promise<SecureExecuteResponse> {
    return this.unary('secureExecute', request, timeoutMs);
  }

  /** Asks a data party to secret-share its distinct keys of a column to the compute parties. */
  secureKeys(request: SecureKeysRequest, timeoutMs: number): Promise<SecureExecuteResponse> {
    return this.unary('secureKeys', request, timeoutMs);
  }

  /** The party's MPC identity (instance, MPC port, open mesh). */
  mpcHello(timeoutMs: number): Promise<MpcHelloResponse> {
    return this.unary('mpcHello', {}, timeoutMs);
  }

  /** Opens or keeps the party's links of a mesh of compute parties. */
  mpcPrepare(request: MpcPrepareRequest, timeoutMs: number): Promise<unknown> {
    return this.unary('mpcPrepare', request, timeoutMs);
  }

  /** Runs an MPC program at the party (a compute party); resolves to its output share. */
  mpcRun(request: MpcRunRequest, timeoutMs: number): Promise<MpcRunResponse> {
    return this.unary('mpcRun', request, timeoutMs);
  }

  /** Sends one contributor's shares to a compute party (called by a party, with its own certificate). */
  acceptShares(request: AcceptSharesRequest, timeoutMs: number): Promise<unknown> {
    return this.unary('acceptShares', request, timeoutMs);
  }

  /** A compute party's share-wise sums, once all contributors' shares have reached it. */
  reveal(request: RevealRequest): Promise<RevealResponse> {
    return this.unary('reveal', request, request.timeoutMs + 5000);
  }

  private async unary<Res>(method: string, request: unknown, timeoutMs: number): Promise<Res> {
    await this.ready();
    return new Promise((resolve, reject) => {
      this.stub[method]!(
        request,
        { deadline: Date.now() + timeoutMs, waitForReady: false },
        (error: grpc.ServiceError | null, response: Res) => (error ? reject(this.toPgError(error)) : resolve(response)),
      );
    });
  }

  /** Runs a fragment; the stream's header (columns) has arrived when this resolves. */
  async execute(fragment: Fragment, signal: AbortSignal): Promise<FragmentStream> {
    signal.throwIfAborted();
    const call = await this.callOverLink({ fragment }, signal);
    const abort = (): void => call.release();
    signal.addEventListener('abort', abort, { once: true });
    const decoder = new ResultDecoder();
    const next = async (): Promise<ResultMessage> => {
      try {
        const bytes = await call.next();
        this.bytesReceived += bytes.length;
        return decoder.decode(bytes);
      } catch (error) {
        if (signal.aborted) throw new PgError(SqlState.queryCanceled, 'canceling statement due to user request');
        throw error;
      }
    };
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      signal.removeEventListener('abort', abort);
      call.release();
    };
    let header: ResultMessage;
    try {
      header = await next();
      if (header.kind !== 'header') throw new PgError(SqlState.protocolViolation, `party "${this.options.name}" sent no result header`);
    } catch (error) {
      await close();
      throw error;
    }
    return {
      columns: header.columns as RemoteColumn[],
      async *batches(): AsyncIterable<ColumnBatch> {
        try {
          for (;;) {
            const message = await next();
            if (message.kind === 'end') return;
            if (message.kind !== 'batch') throw new PgError(SqlState.protocolViolation, 'unexpected message in a result stream');
            yield message.batch;
          }
        } finally {
          await close();
        }
      },
      close,
    };
  }

  /**
   * Sends a request on a fragment link, to the port the party names (asked once over gRPC,
   * and again when it cannot be reached there: a restarted party listens on a new port).
   */
  private async callOverLink(request: unknown, signal: AbortSignal): Promise<LinkCall> {
    const host = this.linkHost;
    const known = this.fragmentPort;
    if (!this.fragmentPort) {
      const asked = this.unary<LinksResponse>('links', {}, this.connectTimeoutMs).then((r) => r.fragmentPort);
      this.fragmentPort = asked;
      asked.catch(() => {
        if (this.fragmentPort === asked) this.fragmentPort = null;
      });
    }
    const port = await this.fragmentPort;
    try {
      return await this.links.call(host, port, request, signal);
    } catch (error) {
      if (known === null || (error as PgError).code !== SqlState.fdwUnableToEstablishConnection) throw error;
      this.fragmentPort = null;
      return this.callOverLink(request, signal);
    }
  }

  close(): void {
    this.stub.close();
    this.links.close();
  }

  private ready(): Promise<void> {
    // A connected channel needs no wait (waitForReady costs a turn of the event loop or more).
    const state = this.stub.getChannel().getConnectivityState(false);
    if (state === grpc.connectivityState.READY) return Promise.resolve();
    if (state === grpc.connectivityState.TRANSIENT_FAILURE) {
      // A channel that failed waits out a growing backoff before it tries again; a party that
      // came back (restarted) is reached at once by a fresh channel.
      this.stub.close();
      this.stub = this.makeStub();
    }
    return new Promise((resolve, reject) => {
      this.stub.waitForReady(Date.now() + this.connectTimeoutMs, (error) =>
        error
          ? reject(
              new PgError(SqlState.fdwUnableToEstablishConnection, `party "${this.options.name}" at ${this.options.address} is unreachable`, {
                detail: error.message,
              }),
            )
          : resolve(),
      );
    });
  }

  private toPgError(error: grpc.ServiceError): PgError {
    const code = error.metadata?.get(SQLSTATE_METADATA)[0];
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      // The party reports with PostgreSQL's codes; its code passes through as is.
      return new PgError(code as SqlState, error.details || error.message);
    }
    if (error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED) {
      return new PgError(SqlState.fdwUnableToEstablishConnection, `party "${this.options.name}" is unreachable: ${error.details}`);
    }
    return new PgError(SqlState.fdwError, `party "${this.options.name}": ${error.details || error.message}`);
  }
}
