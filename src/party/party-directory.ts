/**
 * The gateway's links to the parties its catalog names: one PartyClient per foreign server,
 * made from the server's options (`host`, `port`, and `party`, the name its certificate
 * carries, by default the server's own name) and the gateway's federation certificate.
 * A client is kept while the server's options stay the same.
 */
import type { FragmentStream } from '../../connectors/connector.js';
import type { ServerEntry } from '../catalog/catalog-entries.js';
import type { CatalogSnapshot } from '../catalog/catalog-snapshot.js';
import { optionValue } from '../catalog/option-list.js';
import type { Fragment } from '../planner/fragment.js';
import type { PartyDirectory } from '../planner/federation.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { IssuedCertificate } from './certs.js';
import { PartyClient } from './party-client.js';
import type { DescribeResponse, MpcPrepareRequest, MpcRunRequest, RevealRequest, SecureExecuteRequest, SecureKeysRequest } from './party-service.js';

export interface PartyDirectoryOptions {
  /** The gateway's certificate from the federation CA (common name "gateway"). */
  tls: IssuedCertificate | null;
  connectTimeoutMs?: number;
  /** How long a party's result stream may stay silent before the query stops (default 60 s). */
  idleTimeoutMs?: number;
}

interface Link {
  address: string;
  party: string;
  client: PartyClient;
}

export class CatalogPartyDirectory {
  private readonly clients = new Map<string, Link>();

  constructor(private readonly options: PartyDirectoryOptions) {}

  /** The directory for one snapshot's servers. */
  at(snapshot: CatalogSnapshot): PartyDirectory & { describe(server: string, table?: string): Promise<DescribeResponse> } {
    return {
      execute: (party: string, fragment: Fragment, signal: AbortSignal): Promise<FragmentStream> =>
        this.client(snapshot.server(party), party).execute(fragment, signal),
      describe: (server: string, table?: string) => this.client(snapshot.server(server), server).describe(table),
      engineOf: async (party: string) => (await this.client(snapshot.server(party), party).describe()).engine,
      secure: {
        computeParty: (party: string) => {
          const link = this.link(snapshot.server(party), party);
          return { name: link.party, address: link.address };
        },
        secureExecute: (party: string, request: SecureExecuteRequest, timeoutMs: number) =>
          this.client(snapshot.server(party), party).secureExecute(request, timeoutMs),
        reveal: (party: string, request: RevealRequest) => this.client(snapshot.server(party), party).reveal(request),
        mpc: {
          servers: () => snapshot.servers.filter((s) => optionValue(s.options, 'port') !== undefined).map((s) => s.name),
          hostOf: (party: string) => {
            this.link(snapshot.server(party), party);
            return optionValue(snapshot.server(party)!.options, 'host') ?? '127.0.0.1';
          },
          secureKeys: (party: string, request: SecureKeysRequest, timeoutMs: number) => this.client(snapshot.server(party), party).secureKeys(request, timeoutMs),
          hello: (party: string, timeoutMs: number) => this.client(snapshot.server(party), party).mpcHello(timeoutMs),
          prepare: (party: string, request: MpcPrepareRequest, timeoutMs: number) => this.client(snapshot.server(party), party).mpcPrepare(request, timeoutMs),
          run: (party: string, request: MpcRunRequest, timeoutMs: number) => this.client(snapshot.server(party), party).mpcRun(request, timeoutMs),
        },
      },
    };
  }

  /** Result bytes received from a server's party since the gateway started. */
  bytesReceived(server: string): number {
    return this.clients.get(server)?.client.bytesReceived ?? 0;
  }

  close(): void {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }

  private client(server: ServerEntry | undefined, name: string): PartyClient {
    return this.link(server, name).client;
  }

  /** The link to a server's party, made or kept; `party` is the name its certificate carries. */
  private link(server: ServerEntry | undefined, name: string): Link {
    if (!server) throw new PgError(SqlState.undefinedObject, `server "${name}" does not exist`);
    const tls = this.options.tls;
    if (!tls) {
      throw new PgError(SqlState.fdwUnableToEstablishConnection, `the gateway has no federation certificate to reach server "${name}"`, {
        hint: 'Make one with `c2d certs` and start the gateway with --federation-certs <dir>.',
      });
    }
    const option = (key: string): string | undefined => optionValue(server.options, key);
    const host = option('host') ?? '127.0.0.1';
    const port = option('port');
    if (port === undefined || !/^\d{1,5}$/.test(port) || Number(port) > 65535) {
      throw new PgError(SqlState.fdwInvalidOptionName, `server "${name}" needs a port option`, {
        hint: `ALTER SERVER ${name} OPTIONS (ADD port '7001')`,
      });
    }
    const party = option('party') ?? server.name;
    const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const existing = this.clients.get(server.name);
    if (existing?.address === address && existing.party === party) return existing;
    existing?.client.close();
    const link = { address, party, client: new PartyClient({ name: party, address, tls, connectTimeoutMs: this.options.connectTimeoutMs, idleTimeoutMs: this.options.idleTimeoutMs }) };
    this.clients.set(server.name, link);
    return link;
  }

}
