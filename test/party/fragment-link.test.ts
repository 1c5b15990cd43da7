/**
 * The fragment link on its own (fragment-link.ts), over real mutual-TLS sockets on
 * loopback: frames survive any split of the byte stream; the party's errors arrive with
 * their SQLSTATE, detail and hint; a connection is reused after a complete result; a
 * party that computes long stays alive through heartbeats while one that says nothing at
 * all is given up; closing a result mid-way stops the party's work; hostile bytes and
 * strangers' certificates cost only their own connection.
 */
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createCertificateAuthority, issueCertificate, type CertificateAuthority, type IssuedCertificate } from '../../src/party/certs.js';
import { FragmentLinkPool, FrameReader, frame, listenFragmentLink, type ServeFragment } from '../../src/party/fragment-link.js';
import { PgError } from '../../src/server/pg-error.js';
import { SqlState } from '../../src/server/sqlstate.js';

let ca: CertificateAuthority;
let partyTls: IssuedCertificate;
let gatewayTls: IssuedCertificate;
let link: { port: number; close(): void };
let serve: ServeFragment = async () => {};

const end = Buffer.of(0x45);
const pool = (options: Partial<ConstructorParameters<typeof FragmentLinkPool>[0]> = {}): FragmentLinkPool =>
  new FragmentLinkPool({ party: 'bmc', tls: gatewayTls, connectTimeoutMs: 2000, idleTimeoutMs: 10_000, ...options });

beforeAll(async () => {
  ca = await createCertificateAuthority('test');
  partyTls = await issueCertificate(ca, 'bmc', ['127.0.0.1']);
  gatewayTls = await issueCertificate(ca, 'gateway', []);
  link = await listenFragmentLink({
    tls: partyTls,
    host: '127.0.0.1',
    port: 0,
    allowed: new Set(['gateway']),
    serve: (request, signal, out) => serve(request, signal, out),
    onError: () => {},
    heartbeatMs: 500,
  });
}, 30_000);

afterAll(() => link?.close());

describe('fragment link frames', () => {
  it('reads the same payloads however the stream is split', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1 }), (payloads, cuts) => {
        const bytes = Buffer.concat(payloads.map((p) => frame(Buffer.from(p))));
        const reader = new FrameReader();
        const out: Buffer[] = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const next = Math.min(bytes.length, at + cuts[i % cuts.length]!);
          out.push(...reader.push(bytes.subarray(at, next)));
          at = next;
        }
        expect(out.map((b) => [...b])).toEqual(payloads.map((p) => [...p]));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an empty frame or one longer than a message may be, with 08P01', () => {
    for (const length of [0, 0xffffffff, 64 * 1024 * 1024 + 1]) {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(length, 0);
      expect(() => new FrameReader().push(head)).toThrow(expect.objectContaining({ code: '08P01' }));
    }
  });
});

describe('fragment link', () => {
  it('answers, reuses the connection for the next request, and carries the party’s errors whole', async () => {
    const p = pool();
    serve = async (request, _signal, out) => {
      out.write(Buffer.from(JSON.stringify(request)));
      out.write(end);
    };
    for (let i = 0; i < 3; i++) {
      const call = await p.call('127.0.0.1', link.port, { i });
      expect(p.idleConnections).toBe(0); // the one connection is in use
      expect(JSON.parse((await call.next()).toString())).toEqual({ i });
      expect([...(await call.next())]).toEqual([0x45]);
      call.release();
      expect(p.idleConnections).toBe(1); // and back for the next request
    }
    serve = async () => {
      throw new PgError(SqlState.insufficientPrivilege, 'permission denied for column "national_id"', { detail: 'protected by its owner', hint: 'ask for an aggregate' });
    };
    const call = await p.call('127.0.0.1', link.port, {});
    await expect(call.next()).rejects.toMatchObject({ code: '42501', message: 'permission denied for column "national_id"', detail: 'protected by its owner', hint: 'ask for an aggregate' });
    call.release();
    p.close();
  });

  it('answers many concurrent requests over a bounded number of connections', async () => {
    serve = async (request, _signal, out) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      out.write(Buffer.from(JSON.stringify(request)));
      out.write(end);
    };
    const p = pool();
    const answers = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const call = await p.call('127.0.0.1', link.port, { i });
        const answer = JSON.parse((await call.next()).toString()) as { i: number };
        await call.next();
        call.release();
        return answer.i;
      }),
    );
    expect(answers).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(p.idleConnections).toBe(16); // at most 16 at once; the rest waited for one to come free
    p.close();
  });

  it('waits for a slow reader without piling up listeners, and delivers every message in order', async () => {
    const big = (i: number): Buffer => Buffer.alloc(1 << 20, i);
    let drains = 0;
    serve = async (_request, _signal, out) => {
      for (let i = 0; i < 40; i++) {
        if (!out.write(big(i))) {
          drains++;
          await out.drained();
        }
      }
      out.write(end);
    };
    const warnings: Error[] = [];
    const onWarning = (w: Error): number => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const p = pool();
      const call = await p.call('127.0.0.1', link.port, {});
      for (let i = 0; i < 40; i++) {
        const message = await call.next();
        expect([message.length, message[0], message[message.length - 1]]).toEqual([1 << 20, i, i]);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect([...(await call.next())]).toEqual([0x45]);
      call.release();
      p.close();
    } finally {
      process.off('warning', onWarning);
    }
    expect(drains).toBeGreaterThan(10); // the party did wait for the reader, many times
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('keeps a long computation alive by heartbeats, but stops one that sends no row within the idle timeout', async () => {
    serve = async (_request, signal, out) => {
      await new Promise((resolve) => setTimeout(resolve, 2600));
      if (!signal.aborted) out.write(end);
    };
    const patient = pool({ silenceMs: 1200 });
    const call = await patient.call('127.0.0.1', link.port, {});
    expect([...(await call.next())]).toEqual([0x45]); // 2.6 s of computing, silence allowed 1.2 s: heartbeats kept it
    call.release();
    patient.close();
    const impatient = pool({ idleTimeoutMs: 1000 });
    const started = performance.now();
    const stalled = await impatient.call('127.0.0.1', link.port, {});
    await expect(stalled.next()).rejects.toMatchObject({ code: '08006', message: 'party "bmc" sent nothing for 1 s; the query was stopped' });
    expect(performance.now() - started).toBeLessThan(2000);
    stalled.release();
    impatient.close();
  });

  it('gives up on a party that says nothing at all, heartbeats included', async () => {
    // A party process that stopped: the socket is open, nothing comes, not even heartbeats.
    const silent = await listenFragmentLink({
      tls: partyTls,
      host: '127.0.0.1',
      port: 0,
      allowed: new Set(['gateway']),
      serve: () => new Promise(() => {}),
      onError: () => {},
      heartbeatMs: 3_600_000,
    });
    try {
      const p = pool({ silenceMs: 800 });
      const started = performance.now();
      const call = await p.call('127.0.0.1', silent.port, {});
      await expect(call.next()).rejects.toMatchObject({ code: '08006', message: 'party "bmc" stopped answering; the query was stopped' });
      expect(performance.now() - started).toBeLessThan(1500);
      call.release();
      p.close();
    } finally {
      silent.close();
    }
  });

  it('stops the party’s work when the gateway closes a result mid-way', async () => {
    let stopped: (() => void) | null = null;
    const stoppedAtParty = new Promise<void>((resolve) => (stopped = resolve));
    serve = async (_request, signal, out) => {
      out.write(Buffer.from('first'));
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      stopped!();
    };
    const p = pool();
    const call = await p.call('127.0.0.1', link.port, {});
    expect((await call.next()).toString()).toBe('first');
    const waiting = call.next();
    call.release();
    await expect(waiting).rejects.toMatchObject({ code: '57014' });
    await stoppedAtParty;
    p.close();
  });

  it('closes only the connection that sends hostile bytes, and refuses certificates of other names', async () => {
    serve = async (_request, _signal, out) => void out.write(end);
    const hostile = connect({ host: '127.0.0.1', port: link.port, key: gatewayTls.key, cert: gatewayTls.cert, ca: ca.cert, servername: 'bmc' });
    await new Promise((resolve) => hostile.once('secureConnect', resolve));
    const closed = new Promise((resolve) => hostile.once('close', resolve));
    hostile.on('error', () => {});
    hostile.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    await closed;
    const p = pool();
    const call = await p.call('127.0.0.1', link.port, {});
    expect([...(await call.next())]).toEqual([0x45]);
    call.release();
    p.close();

    const stranger = new FragmentLinkPool({ party: 'bmc', tls: await issueCertificate(ca, 'mgh', []), connectTimeoutMs: 2000, idleTimeoutMs: 10_000 });
    const refused = await stranger.call('127.0.0.1', link.port, {});
    await expect(refused.next()).rejects.toMatchObject({ code: '42501' });
    refused.release();
    stranger.close();

    const impostor = new FragmentLinkPool({ party: 'mgh', tls: gatewayTls, connectTimeoutMs: 2000, idleTimeoutMs: 10_000 });
    await expect(impostor.call('127.0.0.1', link.port, {})).rejects.toMatchObject({ code: 'HV00N' });
    impostor.close();
  });
});
