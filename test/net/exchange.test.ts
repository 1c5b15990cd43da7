import { afterEach, describe, expect, it } from 'vitest';
import { InProcessFederation } from '../../src/mpc/in-process.js';
import { InProcessNetwork } from '../../src/net/in-process-network.js';
import { PartyEndpoint } from '../../src/net/party-endpoint.js';
import type { ExchangeLane } from '../../src/net/exchange.js';
import { FrameKind } from '../../src/net/frame.js';
import type { PartyIndex } from '../../src/net/party-index.js';
import type { Transport } from '../../src/net/transport.js';
import { PgError } from '../../src/server/pg-error.js';

let federation: InProcessFederation | null = null;
afterEach(async () => {
  await federation?.close();
  federation = null;
});

const n = 1000;
const values = BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 31n);

/** Runs `program` at three parties and returns each party's error (or null). */
async function errorsOf(
  fed: InProcessFederation,
  program: Parameters<InProcessFederation['run']>[0],
  options: Parameters<InProcessFederation['run']>[1] = {},
): Promise<{ thrown: unknown; errors: (PgError | null)[] }> {
  const errors: (PgError | null)[] = [null, null, null];
  let thrown: unknown = null;
  try {
    await fed.run(async (party) => {
      try {
        return await program(party);
      } catch (error) {
        errors[party.self] = error as PgError;
        throw error;
      }
    }, options);
  } catch (error) {
    thrown = error;
  }
  return { thrown, errors };
}

describe('exchange: rounds, aborts, timeouts', () => {
  it('a party failing mid-computation stops the other two with its error, and the next computation succeeds', async () => {
    federation = new InProcessFederation();
    const revealed: number[] = [];
    const { thrown, errors } = await errorsOf(federation, async (party) => {
      const x = await party.shareInputA(party.self === 0 ? values : null, 0, n);
      await party.mulA(x, x);
      if (party.self === 1) throw new Error('party 1 ran out of disk');
      await party.mulA(x, x);
      const out = await party.revealA(x);
      revealed.push(party.self);
      return out;
    });
    expect((thrown as Error).message).toBe('party 1 ran out of disk');
    // Party 0 waits for party 1 in the second product, party 2 in the reveal: nobody gets output.
    expect(revealed).toEqual([]);
    expect(errors[0]?.message).toMatch(/aborted by party 1/);
    expect(errors[2]?.message).toMatch(/aborted by party 1/);
    const again = await federation.run(async (party) => party.revealA(await party.shareInputA(party.self === 2 ? values : null, 2, n)));
    expect(again.results[0]).toEqual(values);
  });

  it('the others see an abort as a connection failure naming the computation and party', async () => {
    federation = new InProcessFederation();
    const { thrown, errors } = await errorsOf(
      federation,
      async (party) => {
        if (party.self === 2) party.exchange.abort('operator cancelled');
        // Two rounds, so that each of parties 0 and 1 waits on party 2 at least once.
        const x = await party.revealA(party.constantA(values));
        return party.mulA(party.constantA(x), party.constantA(x));
      },
      { computationId: 'cancel-me' },
    );
    expect((thrown as Error).message).toMatch(/cancel-me aborted by party 2/);
    expect(errors[2]!.message).toBe('computation cancel-me aborted by party 2: operator cancelled');
    for (const p of [0, 1]) {
      expect(errors[p]).toBeInstanceOf(PgError);
      expect(errors[p]!.code).toBe('08006');
      expect(errors[p]!.message).toBe('computation cancel-me aborted by party 2');
      expect(errors[p]!.detail).toMatch(/operator cancelled/);
    }
  });

  it('a stalled party makes the others time out within the round timeout', async () => {
    federation = new InProcessFederation();
    const started = Date.now();
    const { thrown, errors } = await errorsOf(
      federation,
      async (party) => {
        // Stalled before party 2 can send anything after setup (its first message waits for party 0's input).
        if (party.self === 0) federation!.network.stall(2);
        const x = await party.shareInputA(party.self === 0 ? values : null, 0, n);
        const y = await party.mulA(x, x);
        return party.revealA(y);
      },
      { roundTimeoutMs: 300 },
    );
    expect((thrown as Error).message).toMatch(/party 2 did not answer round \d within 300 ms/);
    expect(errors[0]).toBeInstanceOf(PgError);
    expect(errors[1]).toBeInstanceOf(PgError);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a killed party fails the others at once', async () => {
    federation = new InProcessFederation();
    const started = Date.now();
    const { errors } = await errorsOf(
      federation,
      async (party) => {
        const x = await party.shareInputA(party.self === 1 ? values : null, 1, n);
        if (party.self === 1) federation!.network.kill(0);
        return party.revealA(await party.mulA(x, x));
      },
      { roundTimeoutMs: 5000 },
    );
    expect(errors[1]?.message).toMatch(/lost party 0/);
    expect(errors[2]?.message).toMatch(/lost party 0/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses a second round while one is pending, and duplicate frames', async () => {
    const network = new InProcessNetwork();
    const [e0, e1] = network.transports.map((t) => new PartyEndpoint(t));
    const a = e0!.openComputation('dup');
    const b = e1!.openComputation('dup');
    const first = a.exchange(new Map(), [1]);
    await expect(a.exchange(new Map(), [1])).rejects.toThrow(/while another was pending/);
    const payload = new Uint8Array(8);
    await network.transports[1].send(0, { kind: FrameKind.data, from: 1, computationId: 'dup', round: 0, lane: 0, payload });
    await expect(first).resolves.toBeInstanceOf(Map);
    await network.transports[1].send(0, { kind: FrameKind.data, from: 1, computationId: 'dup', round: 0, lane: 0, payload });
    await new Promise((r) => setTimeout(r, 10));
    expect(a.failed?.message).toMatch(/sent round 0 twice or too late/);
    b.close();
  });

  it('a message longer than a frame goes as parts and arrives whole; a part for a finished round is refused', async () => {
    const network = new InProcessNetwork();
    const [e0, e1] = network.transports.map((t) => new PartyEndpoint(t));
    const a = e0!.openComputation('parts', { maxFramePayload: 64 });
    const b = e1!.openComputation('parts', { maxFramePayload: 64 });
    const message = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    const [got] = await Promise.all([b.exchange(new Map(), [0]), a.exchange(new Map([[1, message]]), [])]);
    expect(Array.from(got.get(0)!)).toEqual(Array.from(message));
    expect(a.stats.framesSent).toBe(16);
    expect(b.stats.bytesReceived).toBe(1000);
    // An exact multiple of the frame goes in whole frames, the last one data.
    const [again] = await Promise.all([b.exchange(new Map(), [0]), a.exchange(new Map([[1, message.subarray(0, 128)]]), [])]);
    expect(Array.from(again.get(0)!)).toEqual(Array.from(message.subarray(0, 128)));
    expect(a.stats.framesSent).toBe(18);
    await network.transports[0].send(1, { kind: FrameKind.part, from: 0, computationId: 'parts', round: 0, lane: 0, payload: new Uint8Array(8) });
    await new Promise((r) => setTimeout(r, 10));
    expect(b.failed?.message).toMatch(/sent round 0 twice or too late/);
  });

  it('buffers frames that arrive before their computation is opened', async () => {
    const network = new InProcessNetwork();
    const [e0, e1] = network.transports.map((t) => new PartyEndpoint(t));
    const early = e1!.openComputation('early');
    await early.exchange(new Map([[0, new Uint8Array([7, 7, 7])]]), []);
    const late = e0!.openComputation('early');
    const got = await late.exchange(new Map(), [1]);
    expect(Array.from(got.get(1)!)).toEqual([7, 7, 7]);
    expect(() => e0!.openComputation('early')).toThrow(/already started/);
  });

  it('lanes: one round in flight on each, numbered per lane whatever the order the parties issue them in, depth the busiest lane', async () => {
    const network = new InProcessNetwork();
    const [e0, e1] = network.transports.map((t) => new PartyEndpoint(t));
    const a = e0!.openComputation('lanes');
    const b = e1!.openComputation('lanes');
    const [a1, a2] = a.openLanes(2) as [ExchangeLane, ExchangeLane];
    const [b1, b2] = b.openLanes(2) as [ExchangeLane, ExchangeLane];
    expect([a1.id, a2.id, b1.id, b2.id]).toEqual([1, 2, 1, 2]);
    // Party 0 works lane 1 then lane 2; party 1 the other way round, and runs two rounds on lane 2 first.
    const msg = (v: number): Map<PartyIndex, Uint8Array> => new Map([[1 as PartyIndex, new Uint8Array([v])]]);
    const back = (v: number): Map<PartyIndex, Uint8Array> => new Map([[0 as PartyIndex, new Uint8Array([v])]]);
    const first1 = a1.exchange(msg(11), [1]);
    const first2 = a2.exchange(msg(21), [1]);
    await expect(a1.exchange(msg(12), [1])).rejects.toThrow(/lane 1: a round was started while another was pending/);
    expect(a.failed).toBeNull();
    const got2 = await b2.exchange(back(121), [0]);
    expect(Array.from((await first2).get(1)!)).toEqual([121]);
    const second2 = a2.exchange(msg(22), [1]);
    expect(Array.from((await b2.exchange(back(122), [0])).get(0)!)).toEqual([22]);
    expect(Array.from(got2.get(0)!)).toEqual([21]);
    expect(Array.from((await second2).get(1)!)).toEqual([122]);
    expect(Array.from((await b1.exchange(back(111), [0])).get(0)!)).toEqual([11]);
    expect(Array.from((await first1).get(1)!)).toEqual([111]);
    a.closeLanes([a1, a2]);
    b.closeLanes([b1, b2]);
    expect(a.stats).toMatchObject({ rounds: 3, depth: 2 });
    await expect(a1.exchange(msg(13), [1])).rejects.toThrow(/closed lane/);
    // A frame for a finished lane is a protocol violation.
    await network.transports[1].send(0, { kind: FrameKind.data, from: 1, computationId: 'lanes', round: 1, lane: 1, payload: new Uint8Array(1) });
    await new Promise((r) => setTimeout(r, 10));
    expect(a.failed?.message).toMatch(/round 1 on lane 1, which is finished/);
    b.close();
  });

  it('a round timeout on one lane ends the rounds in flight on the others', async () => {
    const network = new InProcessNetwork();
    const [e0, e1] = network.transports.map((t) => new PartyEndpoint(t));
    const a = e0!.openComputation('slow', { roundTimeoutMs: 200 });
    const b = e1!.openComputation('slow');
    const [a1, a2] = a.openLanes(2) as [ExchangeLane, ExchangeLane];
    const [b1] = b.openLanes(2) as [ExchangeLane, ExchangeLane];
    const started = Date.now();
    const answered = a1.exchange(new Map(), [1]);
    const waiting = a2.exchange(new Map(), [1]);
    const main = a.exchange(new Map(), [1]);
    await b1.exchange(new Map([[0, new Uint8Array(8)]]), []);
    await expect(answered).resolves.toBeInstanceOf(Map);
    // Lane 2 and the main lane wait: the first timeout ends both, with the same error.
    const errors = await Promise.allSettled([waiting, main]);
    for (const e of errors) expect((e as PromiseRejectedResult).reason.message).toMatch(/party 1 did not answer round 0( of lane 2)? within 200 ms/);
    expect((errors[0] as PromiseRejectedResult).reason).toBe((errors[1] as PromiseRejectedResult).reason);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(a1.exchange(new Map(), [1])).rejects.toBe((errors[0] as PromiseRejectedResult).reason);
    b.close();
  });

  it('a send that never completes (a peer that stopped reading) ends the round naming that peer', async () => {
    const network = new InProcessNetwork();
    const real = network.transports[0]!;
    // Party 0's link to party 1 accepts nothing more, as a full socket to a stopped process.
    const stuck: Transport = { ...real, send: (to, frame) => (to === 1 ? new Promise<void>(() => {}) : real.send(to, frame)) };
    const a = new PartyEndpoint(stuck).openComputation('stuck', { roundTimeoutMs: 200 });
    const started = Date.now();
    const error = await a.exchange(new Map([[1, new Uint8Array(8)], [2, new Uint8Array(8)]]), []).catch((e: unknown) => e as PgError);
    expect(error).toBeInstanceOf(PgError);
    expect((error as PgError).message).toMatch(/round 0 could not be sent to party 1 within 200 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a lent message is copied by a transport that hands buffers over, so the sender may reuse it once the round resolves', async () => {
    const network = new InProcessNetwork();
    const [e0, e1] = network.transports.map((t) => new PartyEndpoint(t));
    const a = e0!.openComputation('lent');
    const b = e1!.openComputation('lent');
    const buffer = new Uint8Array([1, 2, 3]);
    const [, got] = await Promise.all([a.exchange(new Map([[1, buffer]]), [], { lent: true }), b.exchange(new Map(), [0])]);
    buffer.fill(9);
    expect(Array.from(got.get(0)!)).toEqual([1, 2, 3]);
    // Handed over (not lent), the buffer itself travels.
    const [, same] = await Promise.all([a.exchange(new Map([[1, buffer]]), []), b.exchange(new Map(), [0])]);
    expect(same.get(0)).toBe(buffer);
    a.close();
    b.close();
  });
});
