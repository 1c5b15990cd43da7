/**
 * Frontend messages as node-postgres's client codec (pg-protocol) writes them, read back
 * by the server's decoders: every field survives, and malformed bodies are 08P01 (or
 * 22021 for bad UTF-8), never an exception from Buffer.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { serialize } from 'pg-protocol';
import { FrameReader, type Frame } from '../../../src/server/protocol/frame-reader.js';
import { decodeQuery } from '../../../src/server/protocol/simple-query-messages.js';
import {
  checkFormatCount,
  decodeBind,
  decodeClose,
  decodeDescribe,
  decodeExecute,
  decodeParse,
  formatCodeAt,
} from '../../../src/server/protocol/extended-query-messages.js';
import { decodeStartupPacket } from '../../../src/server/protocol/startup-messages.js';
import { decodeSaslInitialResponse, decodeSaslResponse } from '../../../src/server/protocol/auth-messages.js';
import { PgError } from '../../../src/server/pg-error.js';

/** The one frame in `bytes`. */
function frameOf(bytes: Buffer, startup = false): Frame {
  const reader = new FrameReader(64 * 1024 * 1024);
  if (!startup) reader.expectMessages();
  reader.push(bytes);
  const frame = reader.next();
  expect(frame).not.toBeNull();
  expect(reader.pendingBytes).toBe(0);
  return frame!;
}

function refusal(fn: () => unknown): PgError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PgError);
    return error as PgError;
  }
  throw new Error('expected a PgError');
}

function code(fn: () => unknown): string {
  return refusal(fn).code;
}

// Strings as a client sends them in cstrings: any Unicode text without NUL.
const cstring = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\0'));

describe('start-up packets', () => {
  it('reads a StartupMessage with its parameters', () => {
    const frame = frameOf(serialize.startup({ user: 'analyst', database: 'c2d', application_name: 'psql', options: '-c x=1' }), true);
    expect(decodeStartupPacket(frame.body)).toEqual({
      kind: 'startup',
      minor: 0,
      parameters: { user: 'analyst', database: 'c2d', application_name: 'psql', options: '-c x=1', client_encoding: 'UTF8' },
      protocolOptions: [],
    });
  });

  it('round-trips arbitrary parameter names and values', () => {
    fc.assert(
      fc.property(fc.dictionary(cstring.filter((k) => k !== '' && !k.startsWith('_pq_.') && k !== '__proto__'), cstring), (params) => {
        const frame = frameOf(serialize.startup(params), true);
        const packet = decodeStartupPacket(frame.body);
        expect(packet.kind).toBe('startup');
        if (packet.kind === 'startup') expect({ ...packet.parameters }).toEqual({ client_encoding: 'UTF8', ...params });
      }),
    );
  });

  it('reads SSLRequest, GSSENCRequest and CancelRequest', () => {
    expect(decodeStartupPacket(frameOf(serialize.requestSsl(), true).body)).toEqual({ kind: 'ssl' });
    const gss = Buffer.alloc(8);
    gss.writeInt32BE(8, 0);
    gss.writeInt32BE(80877104, 4);
    expect(decodeStartupPacket(frameOf(gss, true).body)).toEqual({ kind: 'gssenc' });
    expect(decodeStartupPacket(frameOf(serialize.cancel(1234, -5), true).body)).toEqual({ kind: 'cancel', pid: 1234, secret: -5 });
  });

  it('collects _pq_ protocol options and the minor version for NegotiateProtocolVersion', () => {
    const body = Buffer.from('\0\x03\0\x02user\0u\0_pq_.x\0y\0\0', 'latin1');
    expect(decodeStartupPacket(body)).toEqual({ kind: 'startup', minor: 2, parameters: { user: 'u' }, protocolOptions: ['_pq_.x'] });
  });

  it('refuses protocol 2.0 with FATAL 0A000 and a layout without its terminator with FATAL 08P01', () => {
    const v2 = Buffer.from([0, 2, 0, 0]);
    expect(() => decodeStartupPacket(v2)).toThrow('unsupported frontend protocol 2.0: server supports 3.0 to 3.0');
    expect(code(() => decodeStartupPacket(v2))).toBe('0A000');
    const unterminated = Buffer.from('\0\x03\0\0user\0u\0', 'latin1');
    expect(code(() => decodeStartupPacket(unterminated))).toBe('08P01');
    for (const body of [v2, unterminated, Buffer.from('\0\x03\0\0user', 'latin1'), Buffer.from([0x04, 0xd2, 0x16, 0x2e, 0, 0])]) {
      expect(refusal(() => decodeStartupPacket(body)).severity).toBe('FATAL');
    }
  });
});

describe('authentication messages', () => {
  it('reads SASLInitialResponse and SASLResponse', () => {
    const initial = frameOf(serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=,r=abc'));
    expect(initial.type).toBe('p');
    expect(decodeSaslInitialResponse(initial.body)).toEqual({ mechanism: 'SCRAM-SHA-256', data: 'n,,n=,r=abc' });
    const final = frameOf(serialize.sendSCRAMClientFinalMessage('c=biws,r=abc,p=xyz'));
    expect(decodeSaslResponse(final.body)).toBe('c=biws,r=abc,p=xyz');
  });

  it('refuses a SASLInitialResponse whose length overruns the message', () => {
    const body = Buffer.concat([Buffer.from('SCRAM-SHA-256\0'), Buffer.from([0, 0, 1, 0]), Buffer.from('n,,')]);
    expect(code(() => decodeSaslInitialResponse(body))).toBe('08P01');
  });
});

describe('simple query', () => {
  it('round-trips any query text', () => {
    fc.assert(
      fc.property(cstring, (sql) => {
        const frame = frameOf(serialize.query(sql));
        expect(frame.type).toBe('Q');
        expect(decodeQuery(frame.body)).toBe(sql);
      }),
    );
  });

  it('refuses bad UTF-8 with 22021 and a missing terminator with 08P01', () => {
    expect(code(() => decodeQuery(Buffer.from([0x53, 0xff, 0xfe, 0])))).toBe('22021');
    expect(code(() => decodeQuery(Buffer.from('SELECT 1')))).toBe('08P01');
    expect(code(() => decodeQuery(Buffer.from('SELECT 1\0junk')))).toBe('08P01');
  });
});

describe('extended query', () => {
  it('round-trips Parse', () => {
    fc.assert(
      fc.property(cstring, cstring, fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 20 }), (name, text, types) => {
        const frame = frameOf(serialize.parse({ name, text, types }));
        expect(frame.type).toBe('P');
        expect(decodeParse(frame.body)).toEqual({ statement: name, query: text, paramTypes: types });
      }),
    );
  });

  it('round-trips Bind with text, binary and null parameters', () => {
    const value = fc.oneof(fc.constant(null), cstring, fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)));
    fc.assert(
      fc.property(cstring, cstring, fc.array(value, { maxLength: 20 }), fc.boolean(), (portal, statement, values, binary) => {
        const frame = frameOf(serialize.bind({ portal, statement, values, binary }));
        expect(frame.type).toBe('B');
        const m = decodeBind(frame.body);
        expect([m.portal, m.statement]).toEqual([portal, statement]);
        // pg-protocol sends one format code per parameter: 1 for Buffers, 0 for text.
        expect(m.paramFormats).toEqual(values.map((v) => (Buffer.isBuffer(v) ? 1 : 0)));
        expect(m.params.map((p) => (p === null ? null : p.toString('hex')))).toEqual(
          values.map((v) => (v === null ? null : Buffer.from(v).toString('hex'))),
        );
        expect(m.resultFormats).toEqual([binary ? 1 : 0]);
      }),
    );
  });

  it('reads parameter values as views of the message, not copies', () => {
    const frame = frameOf(serialize.bind({ values: [Buffer.from('abcdef')] }));
    const m = decodeBind(frame.body);
    expect(m.params[0]!.buffer).toBe(frame.body.buffer);
  });

  it('reads counts as unsigned 16-bit numbers, as PostgreSQL does (up to 65535 parameters)', () => {
    const values = Array.from({ length: 40_000 }, (_, i) => String(i % 10));
    const m = decodeBind(frameOf(serialize.bind({ values })).body);
    expect(m.params.length).toBe(40_000);
    expect(m.params[39_999]!.toString()).toBe('9');
  });

  it('refuses a Bind whose parameter lengths overrun the message, or are below -1', () => {
    const head = Buffer.from('\0\0\0\0\0\x01', 'latin1');
    const overrun = Buffer.concat([head, Buffer.from([0x7f, 0xff, 0xff, 0xff]), Buffer.from([0, 0])]);
    expect(code(() => decodeBind(overrun))).toBe('08P01');
    const negative = Buffer.concat([head, Buffer.from([0xff, 0xff, 0xff, 0xfe]), Buffer.from([0, 0])]);
    expect(code(() => decodeBind(negative))).toBe('08P01');
    expect(code(() => decodeBind(Buffer.alloc(0)))).toBe('08P01');
  });

  it('applies the 0/1/N rule of format codes', () => {
    expect([0, 1, 2].map((i) => formatCodeAt([], i))).toEqual([0, 0, 0]);
    expect([0, 1, 2].map((i) => formatCodeAt([1], i))).toEqual([1, 1, 1]);
    expect([0, 1, 2].map((i) => formatCodeAt([1, 0, 1], i))).toEqual([1, 0, 1]);
    expect(code(() => formatCodeAt([2], 0))).toBe('08P01');
    expect(code(() => checkFormatCount([0, 1], 3, 'parameter'))).toBe('08P01');
    expect(() => checkFormatCount([1], 3, 'result')).not.toThrow();
    expect(() => checkFormatCount([], 3, 'result')).not.toThrow();
  });

  it('round-trips Describe, Close and Execute', () => {
    fc.assert(
      fc.property(fc.constantFrom('S' as const, 'P' as const), cstring, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (type, name, rows) => {
        expect(decodeDescribe(frameOf(serialize.describe({ type, name })).body)).toEqual({ target: type, name });
        expect(decodeClose(frameOf(serialize.close({ type, name })).body)).toEqual({ target: type, name });
        expect(decodeExecute(frameOf(serialize.execute({ portal: name, rows })).body)).toEqual({ portal: name, maxRows: rows });
      }),
    );
  });

  it('treats a negative Execute row limit as no limit, and refuses a bad Describe subtype', () => {
    const body = Buffer.from([0x70, 0, 0xff, 0xff, 0xff, 0xff]);
    expect(decodeExecute(body)).toEqual({ portal: 'p', maxRows: 0 });
    expect(code(() => decodeDescribe(Buffer.from('Xname\0')))).toBe('08P01');
    expect(code(() => decodeClose(Buffer.from('S')))).toBe('08P01');
  });

  it('frames Sync, Flush and Terminate with empty bodies', () => {
    expect(frameOf(serialize.sync())).toMatchObject({ type: 'S', body: Buffer.alloc(0) });
    expect(frameOf(serialize.flush())).toMatchObject({ type: 'H', body: Buffer.alloc(0) });
    expect(frameOf(serialize.end())).toMatchObject({ type: 'X', body: Buffer.alloc(0) });
  });
});
