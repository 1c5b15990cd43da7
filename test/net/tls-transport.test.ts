import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Party } from '../../src/mpc/party.js';
import { runComputation } from '../../src/mpc/run-computation.js';
import { equalSliced, lessThanSliced } from '../../src/mpc/sliced.js';
import { PartyEndpoint } from '../../src/net/party-endpoint.js';
import type { PartyIndex } from '../../src/net/party-index.js';
import { FrameKind } from '../../src/net/frame.js';
import { TlsTransport, type PeerAddress } from '../../src/net/tls-transport.js';
import { createCertificateAuthority, issueCertificate, type IssuedCertificate } from '../../src/party/certs.js';

// The TLS transport with all three parties in this process (the child-process tests
// are in tls-processes.test.ts): correctness with large batches, and who may connect.
const NAMES = ['p0', 'p1', 'p2'] as const;
let certs: IssuedCertificate[] = [];
let rogue: IssuedCertificate;

beforeAll(async () => {
  const ca = await createCertificateAuthority('federation');
  certs = await Promise.all(NAMES.map((name) => issueCertificate(ca, name, ['127.0.0.1'])));
  rogue = await issueCertificate(await createCertificateAuthority('elsewhere'), 'p2', ['127.0.0.1']);
}, 30_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function linked(identity: IssuedCertificate[] = certs, ciphers: (string | undefined)[] = []): Promise<PartyEndpoint[]> {
  const parties = (await Promise.all(NAMES.map(async (name) => ({ name, host: '127.0.0.1', port: await freePort() })))) as [PeerAddress, PeerAddress, PeerAddress];
  const transports = await Promise.all(
    ([0, 1, 2] as PartyIndex[]).map((self) => TlsTransport.open({ self, parties, ...identity[self]!, connectTimeoutMs: 3000, ciphers: ciphers[self] })),
  );
  return transports.map((t) => new PartyEndpoint(t));
}

/** Runs `program` at three parties over TLS; `identity[p]` is the certificate party p presents. */
async function overTls<T>(program: (party: Party) => Promise<T>, identity: IssuedCertificate[] = certs): Promise<PromiseSettledResult<T>[]> {
  const endpoints = await linked(identity);
  const settled = await runOn(endpoints, 't1', program);
  await Promise.all(endpoints.map((e) => e.close()));
  return settled;
}

async function runOn<T>(endpoints: PartyEndpoint[], id: string, program: (party: Party) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  return Promise.allSettled(endpoints.map(async (endpoint) => (await runComputation(endpoint, id, program, { roundTimeoutMs: 5000 })).result));
}

describe('TlsTransport', () => {
  it('carries 2^21-word rounds (16 MiB messages, backpressure) with the right products', async () => {
    const n = 1 << 21;
    const x = BigUint64Array.from({ length: n }, (_, i) => BigInt(i) + 0xffff_ffff_0000n);
    const settled = await overTls(async (party) => {
      const a = await party.shareInputA(party.self === 0 ? x : null, 0, n);
      const square = await party.mulA(a, a);
      return { opened: await party.revealA(square), rounds: party.exchange.stats.rounds };
    });
    for (const s of settled) {
      expect(s.status).toBe('fulfilled');
      const { opened, rounds } = (s as PromiseFulfilledResult<{ opened: BigUint64Array; rounds: number }>).value;
      expect(rounds).toBe(4);
      for (const i of [0, 1, n >> 1, n - 1]) expect(opened[i]).toBe(BigInt.asUintN(64, x[i]! * x[i]!));
    }
  }, 60_000);

  it('a message longer than a frame goes in parts and arrives whole (16 MiB rounds in frames of 1 MiB)', async () => {
    const n = 1 << 21;
    const x = BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 0x9e37_79b9n + 1n);
    const endpoints = await linked();
    const settled = await Promise.allSettled(
      endpoints.map(async (endpoint) => {
        const { result } = await runComputation(endpoint, 'parts', async (party) => {
          const a = await party.shareInputA(party.self === 0 ? x : null, 0, n);
          const opened = await party.revealA(await party.mulA(a, a));
          return { opened, frames: party.exchange.stats.framesSent, bytes: party.exchange.stats.bytesReceived };
        }, { roundTimeoutMs: 5000, maxFramePayload: 1 << 20 });
        return result;
      }),
    );
    await Promise.all(endpoints.map((e) => e.close()));
    for (const s of settled) {
      expect(s.status).toBe('fulfilled');
      const { opened, frames, bytes } = (s as PromiseFulfilledResult<{ opened: BigUint64Array; frames: number; bytes: number }>).value;
      // The product's round and the opening's: 16 frames for each 16 MiB message.
      expect(frames).toBeGreaterThanOrEqual(2 * 16);
      expect(bytes).toBeGreaterThanOrEqual(2 * 8 * n);
      for (const i of [0, 1, n >> 1, n - 1]) expect(opened[i]).toBe(BigInt.asUintN(64, x[i]! * x[i]!));
    }
  }, 60_000);

  it('a computation that fails at one party ends at all three, and the next one on the same links succeeds', async () => {
    const endpoints = await linked();
    const failed = await runOn(endpoints, 'bad', async (party) => {
      const x = await party.shareInputA(party.self === 0 ? BigUint64Array.of(5n, 6n) : null, 0, 2);
      if (party.self === 1) throw new Error('party 1 ran out of memory');
      return party.revealA(await party.mulA(x, x));
    });
    expect(failed.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const detail = (s: PromiseSettledResult<unknown>): string => {
      const error = (s as PromiseRejectedResult).reason as { message: string; detail?: string };
      return `${error.message} ${error.detail ?? ''}`;
    };
    expect(detail(failed[0]!)).toMatch(/aborted by party 1.*out of memory/);
    expect(detail(failed[2]!)).toMatch(/aborted by party 1.*out of memory/);
    const next = await runOn(endpoints, 'good', async (party) => {
      const x = await party.shareInputA(party.self === 0 ? BigUint64Array.of(5n, 6n) : null, 0, 2);
      return party.revealA(await party.mulA(x, x));
    });
    expect(next.map((s) => (s.status === 'fulfilled' ? Array.from(s.value) : s.reason))).toEqual([[25n, 36n], [25n, 36n], [25n, 36n]]);
    await Promise.all(endpoints.map((e) => e.close()));
  }, 30_000);

  it('a party that aborts and closes its links at once (a process about to exit) still tells its peers why', async () => {
    const endpoints = await linked();
    const settled = await runOn(endpoints, 'quit', async (party) => {
      const x = await party.shareInputA(party.self === 0 ? BigUint64Array.of(5n, 6n) : null, 0, 2);
      if (party.self === 1) {
        party.exchange.abort('disk full');
        await endpoints[1]!.close();
        throw new Error('party 1 quit');
      }
      return party.revealA(await party.mulA(x, x));
    });
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const p of [0, 2]) {
      const error = (settled[p] as PromiseRejectedResult).reason as { message: string; detail?: string };
      expect(`${error.message} ${error.detail ?? ''}`).toMatch(/aborted by party 1.*disk full/);
    }
    await Promise.all([endpoints[0]!.close(), endpoints[2]!.close()]);
  }, 30_000);

  it('refuses a party whose certificate is from another CA: the computation ends with a clear error', async () => {
    const settled = await overTls(async (party) => party.revealA(await party.shareInputA(party.self === 0 ? BigUint64Array.of(7n) : null, 0, 1)), [certs[0]!, certs[1]!, rogue]);
    for (const s of settled) expect(s.status).toBe('rejected');
    // Each error names the party at fault, in its message or (when a peer's abort ended it) its detail.
    const reasons = settled.map((s) => {
      const error = (s as PromiseRejectedResult).reason as { message: string; detail?: string };
      return `${error.message} ${error.detail ?? ''}`;
    });
    expect(reasons[0]).toMatch(/party 2/);
    expect(reasons[1]).toMatch(/party 2/);
  }, 30_000);

  it('refuses a federation certificate presented under another party’s name', async () => {
    // Party 1 presents p2's certificate: party 0 dials "p1" and the name does not match.
    const settled = await overTls(async (party) => party.revealA(await party.shareInputA(party.self === 0 ? BigUint64Array.of(7n) : null, 0, 1)), [certs[0]!, certs[2]!, certs[2]!]);
    for (const s of settled) expect(s.status).toBe('rejected');
    expect(String((settled[0] as PromiseRejectedResult).reason.message)).toMatch(/party 1/);
  }, 30_000);

  it('offers only TLS 1.3 suites it is given: parties sharing one link, parties sharing none are refused', async () => {
    const share = async (party: Party): Promise<BigUint64Array> => party.revealA(await party.shareInputA(party.self === 0 ? BigUint64Array.of(7n) : null, 0, 1));
    // Party 2 offers ChaCha20 only: Node's and this transport's default lists both accept it.
    const chacha = await linked(certs, [undefined, undefined, 'TLS_CHACHA20_POLY1305_SHA256']);
    const fine = await runOn(chacha, 'chacha', share);
    expect(fine.map((s) => (s.status === 'fulfilled' ? Array.from(s.value) : s.reason))).toEqual([[7n], [7n], [7n]]);
    await Promise.all(chacha.map((e) => e.close()));
    // Party 2 offers AES-256-GCM only, party 0 ChaCha20 only: that link cannot come up.
    const disjoint = await linked(certs, ['TLS_CHACHA20_POLY1305_SHA256', undefined, 'TLS_AES_256_GCM_SHA384']);
    const refused = await runOn(disjoint, 'disjoint', share);
    for (const s of refused) expect(s.status).toBe('rejected');
    expect(String((refused[0] as PromiseRejectedResult).reason.message)).toMatch(/party 2/);
    await Promise.all(disjoint.map((e) => e.close()));
  }, 30_000);

  it('comparisons with chunks in flight on lanes, messages lent from the kernel arenas: the plaintext answers', async () => {
    const n = 1000;
    const a = BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, BigInt(i % 7 === 0 ? -i : i) * 0x1_0000_0001n));
    const b = BigUint64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? a[i]! : BigInt.asUintN(64, BigInt(n - 2 * i) * 0x1_0000_0001n)));
    const signed = (v: bigint): bigint => BigInt.asIntN(64, v);
    const settled = await overTls(async (party) => {
      const x = await party.shareInputA(party.self === 0 ? a : null, 0, n);
      const y = await party.shareInputA(party.self === 1 ? b : null, 1, n);
      const lt = await lessThanSliced(party, x, y, { chunkValues: 128, inFlight: 3 });
      const eq = await equalSliced(party, x, y, { chunkValues: 192, inFlight: 2 });
      return { lt: await party.revealB(lt), eq: await party.revealB(eq) };
    });
    for (const s of settled) {
      expect(s.status).toBe('fulfilled');
      const { lt, eq } = (s as PromiseFulfilledResult<{ lt: BigUint64Array; eq: BigUint64Array }>).value;
      expect(Array.from(lt)).toEqual(Array.from(a, (v, i) => (signed(v) < signed(b[i]!) ? 1n : 0n)));
      expect(Array.from(eq)).toEqual(Array.from(a, (v, i) => (v === b[i] ? 1n : 0n)));
    }
  }, 30_000);

  it('recycles the memory of a received frame given back, once, and only its own', async () => {
    const parties = (await Promise.all(NAMES.map(async (name) => ({ name, host: '127.0.0.1', port: await freePort() })))) as [PeerAddress, PeerAddress, PeerAddress];
    const [t0, t1] = await Promise.all(([0, 1] as PartyIndex[]).map((self) => TlsTransport.open({ self, parties, ...certs[self]!, connectTimeoutMs: 10_000 })));
    const received: Uint8Array[] = [];
    let arrived: (() => void) | null = null;
    t1!.listen({ frame: (f) => (received.push(f.payload), arrived?.()), peerFailed: () => {} });
    t0!.listen({ frame: () => {}, peerFailed: () => {} });
    const next = async (fill: number, bytes = 4096): Promise<Uint8Array> => {
      const got = new Promise<void>((resolve) => (arrived = resolve));
      await t0!.send(1, { kind: FrameKind.data, from: 0, computationId: 'r', round: received.length, lane: 0, payload: new Uint8Array(bytes).fill(fill) });
      await got;
      return received[received.length - 1]!;
    };
    const first = await next(1);
    expect(first.every((b) => b === 1)).toBe(true);
    t1!.recycle(first);
    t1!.recycle(first); // given back twice: kept once
    t1!.recycle(new Uint8Array(first.buffer.byteLength)); // not this transport's: ignored
    const second = await next(2);
    expect(second.buffer).toBe(first.buffer);
    expect(second.every((b) => b === 2)).toBe(true);
    const third = await next(3);
    expect(third.buffer).not.toBe(first.buffer);
    const other = await next(4, 8192);
    expect(other.byteLength).toBe(8192);
    await Promise.all([t0!.close(), t1!.close()]);
  }, 30_000);
});
