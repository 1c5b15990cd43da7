/**
 * A party node's compute-party role: it hosts the replicated-sharing MPC runtime over
 * party-to-party mutual-TLS links (TlsTransport, the federation's certificates), driven
 * by the gateway in three steps:
 *
 *  - hello: this process's instance id, its MPC port, and the mesh it has open;
 *  - prepare: open (or keep) the links of a mesh of three compute parties — the gateway
 *    calls the parties in the order 2, 1, 0, so that each listener is up before a lower
 *    index dials it; a mesh is named by a key (parties, instances, an epoch the gateway
 *    bumps after a failure), and a party whose key differs or whose links broke reopens;
 *  - run: wait for the contributors' additive shares (sent by data parties over gRPC,
 *    share-jobs.ts), run the MPC program (reaggregate.ts), return this party's output share.
 *
 * Everything a peer sends is checked by the frame and exchange layers; any failure aborts
 * the computation at all three parties (runComputation), and the gateway gets an error.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { createServer } from 'node:net';
import { runComputation } from '../mpc/run-computation.js';
import { absentShare, checkReveal, distinctCountAdditiveAt, isComparisonBits, reaggregateAt, type ReaggregateKind, type ReaggregateReveal } from '../mpc/reaggregate.js';
import { PartyEndpoint } from '../net/party-endpoint.js';
import { isPartyIndex, type PartyIndex } from '../net/party-index.js';
import { TlsTransport, type PeerAddress } from '../net/tls-transport.js';
import type { Transport, TransportListener } from '../net/transport.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { IssuedCertificate } from './certs.js';
import type { MpcHelloResponse, MpcPrepareRequest, MpcRunRequest, MpcRunResponse } from './party-service.js';
import type { ShareJobs } from './share-jobs.js';

const MAX_GROUPS = 1_000_000;
const CONNECT_TIMEOUT_MS = 5000;

export interface MpcHostOptions {
  /** This party's name, as its certificate carries it. */
  name: string;
  tls: IssuedCertificate;
  /** Where to listen for peers' MPC links; port 0 picks a free port once, at start. */
  host: string;
  port: number;
  shareJobs: ShareJobs;
  logger?: Logger;
}

interface Mesh {
  key: string;
  self: PartyIndex;
  endpoint: PartyEndpoint;
  broken: boolean;
}

export class MpcHost {
  readonly instance = randomUUID();
  private port = 0;
  private mesh: Mesh | null = null;
  private preparing: Promise<void> = Promise.resolve();

  constructor(private readonly options: MpcHostOptions) {}

  async start(): Promise<number> {
    this.port = this.options.port !== 0 ? this.options.port : await freePort(this.options.host);
    return this.port;
  }

  hello(): MpcHelloResponse {
    return { instance: this.instance, mpcPort: this.port, meshKey: this.mesh?.key ?? null, healthy: this.mesh !== null && !this.mesh.broken };
  }

  /** Opens the mesh's links (or keeps them); resolves once this party listens for its lower-index peers. */
  prepare(raw: unknown): Promise<void> {
    const request = checkPrepare(raw, this.options.name);
    const next = this.preparing.then(async () => {
      if (this.mesh && this.mesh.key === request.meshKey && !this.mesh.broken) return;
      this.dropMesh();
      const parties = request.parties.map((p, i) => (i === request.self ? { name: p.name, host: this.options.host, port: this.port } : p)) as [PeerAddress, PeerAddress, PeerAddress];
      const transport = await TlsTransport.open({
        self: request.self,
        parties,
        key: this.options.tls.key,
        cert: this.options.tls.cert,
        ca: this.options.tls.ca,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
      });
      const mesh: Mesh = { key: request.meshKey, self: request.self, endpoint: null as unknown as PartyEndpoint, broken: false };
      mesh.endpoint = new PartyEndpoint(watched(transport, () => (mesh.broken = true)));
      this.mesh = mesh;
    });
    this.preparing = next.catch(() => {});
    return next;
  }

  /** Waits for the contributors' shares, runs the program with the two other compute parties, returns this party's output share. */
  async run(raw: unknown): Promise<MpcRunResponse> {
    const request = checkRun(raw);
    const mesh = this.mesh;
    if (!mesh || mesh.key !== request.meshKey || mesh.broken) {
      throw new PgError(SqlState.connectionFailure, `party "${this.options.name}" has no working links for this secure computation`, {
        hint: 'A compute party restarted or a link broke; the next query sets the links up again.',
      });
    }
    const contributions = await this.options.shareJobs.collect(request.computationId, request.contributors, request.timeoutMs);
    const options = { roundTimeoutMs: request.roundTimeoutMs };
    const log = this.options.logger?.child({ computation: request.computationId, program: request.program.kind, self: mesh.self });
    const started = performance.now();
    const logged = async <T>(run: Promise<{ result: T; stats: { rounds: number; bytesSent: number } }>): Promise<T> => {
      log?.info('secure computation started');
      try {
        const { result, stats } = await run;
        log?.info({ ms: Math.round(performance.now() - started), rounds: stats.rounds, bytesSent: stats.bytesSent }, 'secure computation finished');
        return result;
      } catch (error) {
        log?.warn({ ms: Math.round(performance.now() - started), error: (error as Error).message }, 'secure computation failed');
        throw error;
      }
    };
    if (request.program.kind === 'distinct-count') {
      for (const c of contributions) if (c.shares.length !== 1) throw malformed('a distinct-count contribution has one column');
      const mine = concat(contributions.map((c) => c.shares[0]!));
      const result = await logged(runComputation(mesh.endpoint, request.computationId, (party) => distinctCountAdditiveAt(party, mine), options));
      return { keys: [], share: [...result] };
    }
    const { kinds, bits = 64, reveal = {} } = request.program;
    for (const c of contributions) if (c.shares.length !== kinds.length) throw malformed(`a contribution has ${c.shares.length} columns, not ${kinds.length}`);
    // The groups: every key any contributor has, in one order all three parties agree on.
    const ids = new Map<string, Array<string | null>>();
    for (const c of contributions) for (const key of c.keys) ids.set(JSON.stringify(key), key);
    if (ids.size > MAX_GROUPS) throw new PgError(SqlState.programLimitExceeded, `more than ${MAX_GROUPS} groups in a secure aggregation`);
    const order = [...ids.keys()].sort();
    const position = new Map(order.map((id, i) => [id, i]));
    const g = order.length;
    const mine = new BigUint64Array(contributions.length * kinds.length * g);
    contributions.forEach((c, o) => {
      kinds.forEach((kind, k) => {
        const base = (o * kinds.length + k) * g;
        mine.fill(absentShare(kind, mesh.self, bits), base, base + g);
        const column = c.shares[k]!;
        c.keys.forEach((key, row) => {
          mine[base + position.get(JSON.stringify(key))!] = column[row]!;
        });
      });
    });
    const result = await logged(runComputation(mesh.endpoint, request.computationId, (party) => reaggregateAt(party, kinds, contributions.length, g, mine, bits, reveal), options));
    return { keys: order.map((id) => ids.get(id)!), share: [...result] };
  }

  close(): void {
    this.dropMesh();
  }

  private dropMesh(): void {
    const old = this.mesh;
    this.mesh = null;
    // Not awaited: a stopped peer would keep a graceful close waiting; the listener closes at once.
    if (old) void old.endpoint.close().catch(() => {});
  }
}

/** The transport, reporting its first broken link to `onBroken` (the mesh is then reopened by the next prepare). */
function watched(transport: TlsTransport, onBroken: () => void): Transport {
  return {
    self: transport.self,
    doneWithPayloadOnSend: transport.doneWithPayloadOnSend,
    send: (to, frame) => transport.send(to, frame),
    recycle: (payload) => transport.recycle(payload),
    close: () => transport.close(),
    listen: (listener: TransportListener) =>
      transport.listen({
        frame: (frame) => listener.frame(frame),
        peerFailed: (peer, error) => {
          onBroken();
          listener.peerFailed(peer, error);
        },
      }),
  };
}

function concat(columns: readonly BigUint64Array[]): BigUint64Array {
  const out = new BigUint64Array(columns.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of columns) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const NAME = /^[a-z][a-z0-9_]*$/;
const MESH_KEY = /^[\w.:/#@-]{1,512}$/;

function checkPrepare(raw: unknown, name: string): MpcPrepareRequest & { self: PartyIndex } {
  const r = raw as Partial<MpcPrepareRequest> | null;
  if (typeof r?.meshKey !== 'string' || !MESH_KEY.test(r.meshKey)) throw malformed('mesh key');
  if (!isPartyIndex(r.self)) throw malformed('party index');
  if (!Array.isArray(r.parties) || r.parties.length !== 3) throw malformed('parties');
  for (const p of r.parties) {
    if (typeof p?.name !== 'string' || !NAME.test(p.name) || typeof p.host !== 'string' || !/^[\w.:-]{1,255}$/.test(p.host) || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
      throw malformed('party address');
    }
  }
  if (new Set(r.parties.map((p) => p.name)).size !== 3) throw malformed('parties must be three different parties');
  if (r.parties[r.self]!.name !== name) throw malformed(`party ${r.self} of the mesh is "${r.parties[r.self]!.name}", not this party ("${name}")`);
  return { meshKey: r.meshKey, self: r.self, parties: r.parties };
}

function checkRun(raw: unknown): MpcRunRequest {
  const r = raw as Partial<MpcRunRequest> | null;
  if (typeof r?.meshKey !== 'string') throw malformed('mesh key');
  if (typeof r.computationId !== 'string' || !/^[0-9a-f-]{8,64}$/.test(r.computationId)) throw malformed('computation id');
  if (!Array.isArray(r.contributors) || r.contributors.length === 0 || r.contributors.length > 64 || !r.contributors.every((c) => typeof c === 'string' && NAME.test(c))) {
    throw malformed('contributors');
  }
  if (new Set(r.contributors).size !== r.contributors.length) throw malformed('contributors repeat');
  const timeout = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 120_000 ? v : (() => { throw malformed('timeout'); })());
  const program = r.program as MpcRunRequest['program'] | undefined;
  let checked: MpcRunRequest['program'];
  if (program?.kind === 'distinct-count') checked = { kind: 'distinct-count' };
  else if (program?.kind === 'reaggregate' && Array.isArray(program.kinds) && program.kinds.length > 0 && program.kinds.length <= 1024 && program.kinds.every((k: unknown) => k === 'add' || k === 'min' || k === 'max')) {
    if (program.bits !== undefined && !isComparisonBits(program.bits)) throw malformed('bits');
    const reveal = program.reveal === undefined ? undefined : revealOf(program.reveal, program.kinds as ReaggregateKind[]);
    checked = { kind: 'reaggregate', kinds: program.kinds as ReaggregateKind[], ...(program.bits !== undefined ? { bits: program.bits } : {}), ...(reveal ? { reveal } : {}) };
  } else throw malformed('program');
  return { meshKey: r.meshKey, computationId: r.computationId, contributors: r.contributors, program: checked, timeoutMs: timeout(r.timeoutMs), roundTimeoutMs: timeout(r.roundTimeoutMs) };
}

/** A reveal plan: column indexes within the program's, an average range, one role per column. */
function revealOf(raw: unknown, kinds: readonly ReaggregateKind[]): ReaggregateReveal {
  const columns = kinds.length;
  const r = raw as { nonzero?: unknown; averages?: unknown; averageBits?: unknown } | null;
  const column = (c: unknown): number => (typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < columns ? c : (() => { throw malformed('reveal column'); })());
  if (typeof r !== 'object' || r === null) throw malformed('reveal');
  if (r.nonzero !== undefined && (!Array.isArray(r.nonzero) || r.nonzero.length > columns)) throw malformed('reveal nonzero');
  if (r.averages !== undefined && (!Array.isArray(r.averages) || r.averages.length > columns)) throw malformed('reveal averages');
  if (r.averageBits !== undefined && !isComparisonBits(r.averageBits)) throw malformed('reveal average bits');
  const averages = ((r.averages ?? []) as unknown[]).map((a) => {
    const pair = a as { sum?: unknown; count?: unknown } | null;
    if (typeof pair !== 'object' || pair === null) throw malformed('reveal average');
    return { sum: column(pair.sum), count: column(pair.count) };
  });
  const reveal = {
    ...(r.nonzero !== undefined ? { nonzero: (r.nonzero as unknown[]).map(column) } : {}),
    ...(r.averages !== undefined ? { averages } : {}),
    ...(r.averageBits !== undefined ? { averageBits: r.averageBits as number } : {}),
  };
  try {
    checkReveal(kinds, reveal);
  } catch (error) {
    throw malformed((error as Error).message);
  }
  return reveal;
}

function malformed(what: string): PgError {
  return new PgError(SqlState.protocolViolation, `malformed MPC request: ${what}`);
}
