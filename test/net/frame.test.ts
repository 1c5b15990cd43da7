import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameKind, type Frame } from '../../src/net/frame.js';
import type { PartyIndex } from '../../src/net/party-index.js';

const frameArb = fc.record({
  kind: fc.constantFrom(FrameKind.data, FrameKind.abort, FrameKind.part),
  from: fc.constantFrom<PartyIndex>(0, 1, 2),
  computationId: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
  round: fc.nat({ max: 0xffff_ffff }),
  lane: fc.nat({ max: 0xffff_ffff }),
  payload: fc.uint8Array({ maxLength: 300 }),
});

describe('party channel frames', () => {
  it('round-trip, also when several arrive in one read or split across reads', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 5 }), fc.nat(), (frames, cut) => {
        const bytes = Buffer.concat(frames.map((f) => encodeFrame(f as Frame)));
        const decoded: Frame[] = [];
        let buffer = new Uint8Array(bytes.subarray(0, cut % (bytes.length + 1)));
        let rest = new Uint8Array(bytes.subarray(cut % (bytes.length + 1)));
        for (;;) {
          const next = decodeFrame(buffer);
          if (next === null) {
            if (rest.length === 0) break;
            buffer = new Uint8Array(Buffer.concat([buffer, rest]));
            rest = new Uint8Array(0);
            continue;
          }
          decoded.push(next.frame);
          buffer = buffer.subarray(next.consumed);
        }
        expect(decoded.map((f) => ({ ...f, payload: Array.from(f.payload) }))).toEqual(frames.map((f) => ({ ...f, payload: Array.from(f.payload) })));
      }),
    );
  });

  it('rejects hostile headers', () => {
    const good = encodeFrame({ kind: FrameKind.data, from: 1, computationId: 'q1', round: 3, lane: 2, payload: new Uint8Array([1, 2]) });
    const patched = (at: number, value: number): Uint8Array => {
      const copy = good.slice();
      copy[at] = value;
      return copy;
    };
    expect(() => decodeFrame(patched(4, 9))).toThrow(/kind/);
    expect(() => decodeFrame(patched(5, 3))).toThrow(/sender/);
    expect(() => decodeFrame(patched(7, 0x20))).toThrow(/computation id/);
    expect(() => decodeFrame(patched(6, 200))).toThrow(/longer than its frame/);
    expect(() => decodeFrame(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow(/out of range/);
    expect(() => decodeFrame(new Uint8Array([0, 0, 0, 1, 1]))).toThrow(/out of range/);
    expect(decodeFrame(good.subarray(0, good.length - 1))).toBeNull();
    expect(() => encodeFrame({ kind: FrameKind.data, from: 0, computationId: 'no spaces', round: 0, lane: 0, payload: new Uint8Array() })).toThrow(/invalid computation id/);
  });
});
