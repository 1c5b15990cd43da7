/**
 * Backend messages written by the server's encoders, read by node-postgres's own client
 * codec (pg-protocol): an independent check of every field, DataRows included.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MessageWriter } from '../../../src/server/protocol/message-writer.js';
import {
  commandComplete,
  emptyQueryResponse,
  errorResponse,
  noticeResponse,
  parameterStatus,
  readyForQuery,
  rowDescription,
} from '../../../src/server/protocol/response-messages.js';
import { AuthCode, authenticationOk, authenticationSasl, authenticationSaslData } from '../../../src/server/protocol/auth-messages.js';
import { backendKeyData, negotiateProtocolVersion } from '../../../src/server/protocol/startup-messages.js';
import {
  bindComplete,
  closeComplete,
  noData,
  parameterDescription,
  parseComplete,
  portalSuspended,
} from '../../../src/server/protocol/extended-query-messages.js';
import { copyData, copyDone, copyOutResponse } from '../../../src/server/protocol/copy-messages.js';
import { columnsEncoder, rowEncoder } from '../../../src/server/result-writer.js';
import { PgError } from '../../../src/server/pg-error.js';
import { SqlState } from '../../../src/server/sqlstate.js';
import type { FieldDescription } from '../../../src/server/engine.js';
import { defaultCodecContext, TypeOid } from '../../../src/sql/types/index.js';
import { parseBackend, parseWritten } from './backend-parser.js';

const cstring = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\0'));

function field(name: string, typeOid: number, typeSize = -1): FieldDescription {
  return { name, tableOid: 0, columnAttr: 0, typeOid, typeSize, typeModifier: -1 };
}

describe('start-up and authentication', () => {
  it('writes the authentication requests', () => {
    const w = new MessageWriter();
    authenticationSasl(w, ['SCRAM-SHA-256']);
    authenticationSaslData(w, AuthCode.saslContinue, 'r=abc,s=c2FsdA==,i=4096');
    authenticationSaslData(w, AuthCode.saslFinal, 'v=c2lnbmF0dXJl');
    authenticationOk(w);
    expect(parseWritten(w).map(({ length: _, ...m }) => m)).toEqual([
      { name: 'authenticationSASL', mechanisms: ['SCRAM-SHA-256'] },
      { name: 'authenticationSASLContinue', data: 'r=abc,s=c2FsdA==,i=4096' },
      { name: 'authenticationSASLFinal', data: 'v=c2lnbmF0dXJl' },
      { name: 'authenticationOk' },
    ]);
  });

  it('writes ParameterStatus, BackendKeyData and ReadyForQuery', () => {
    fc.assert(
      fc.property(cstring, cstring, fc.integer(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom('I' as const, 'T' as const, 'E' as const), (name, value, pid, secret, status) => {
        const w = new MessageWriter();
        parameterStatus(w, name, value);
        backendKeyData(w, pid | 0, secret);
        readyForQuery(w, status);
        const [ps, key, ready] = parseWritten(w);
        expect([ps!.parameterName, ps!.parameterValue]).toEqual([name, value]);
        expect([key!.processID, key!.secretKey]).toEqual([pid | 0, secret]);
        expect(ready!.status).toBe(status);
      }),
    );
  });

  it('writes NegotiateProtocolVersion (which pg-protocol does not know) in PostgreSQL\'s layout', () => {
    const w = new MessageWriter();
    negotiateProtocolVersion(w, 0, ['_pq_.a', '_pq_.b']);
    const bytes = w.take();
    expect(bytes.toString('latin1')).toBe('v\0\0\0\x1a\0\0\0\0\0\0\0\x02_pq_.a\0_pq_.b\0');
  });
});

describe('results', () => {
  it('writes RowDescription with every attribute and format', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            name: cstring,
            tableOid: fc.integer({ min: 0, max: 0xffffffff }),
            columnAttr: fc.integer({ min: 0, max: 1600 }),
            typeOid: fc.integer({ min: 0, max: 0xffffffff }),
            typeSize: fc.integer({ min: -2, max: 32767 }),
            typeModifier: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
            format: fc.constantFrom(0, 1),
          }),
          { maxLength: 30 },
        ),
        (fields) => {
          const w = new MessageWriter();
          rowDescription(w, fields, fields.map((f) => f.format));
          const [m] = parseWritten(w);
          expect(m!.name).toBe('rowDescription');
          expect(m!.fields.map((f: any) => [f.name, f.tableID, f.columnID, f.dataTypeID, f.dataTypeSize, f.dataTypeModifier, f.format])).toEqual(
            fields.map((f) => [f.name, f.tableOid, f.columnAttr, f.typeOid, f.typeSize, f.typeModifier, f.format ? 'binary' : 'text']),
          );
        },
      ),
    );
  });

  it('writes DataRows in text, row by row and column by column alike, NULL as -1', () => {
    const fields = [field('i', TypeOid.int4, 4), field('t', TypeOid.text), field('b', TypeOid.bool, 1), field('n', TypeOid.int8, 8)];
    const rows: unknown[][] = [
      [1, 'one', true, 10n],
      [-2, 'zwei – ü', false, null],
      [null, '', null, -(2n ** 63n)],
    ];
    const byRow = new MessageWriter();
    const encode = rowEncoder(fields, [], defaultCodecContext);
    for (const row of rows) encode(row, byRow);
    const byColumn = new MessageWriter();
    const columns = fields.map((_, c) => rows.map((r) => r[c]));
    columnsEncoder(fields, [], defaultCodecContext)(columns, rows.length, byColumn);
    const a = byRow.take();
    expect(byColumn.take().equals(a)).toBe(true);
    expect(parseBackend(a).map((m) => m.fields)).toEqual([
      ['1', 'one', 't', '10'],
      ['-2', 'zwei – ü', 'f', null],
      [null, '', null, '-9223372036854775808'],
    ]);
  });

  it('writes any text value into a DataRow intact', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(null), fc.string({ unit: 'grapheme', maxLength: 100 })), { minLength: 1, maxLength: 10 }), (values) => {
        const fields = values.map((_, i) => field(`c${i}`, TypeOid.text));
        const w = new MessageWriter(16);
        rowEncoder(fields, [], defaultCodecContext)(values, w);
        expect(parseWritten(w)[0]!.fields).toEqual(values);
      }),
    );
  });

  it('writes binary DataRow values with their byte lengths', () => {
    const fields = [field('i', TypeOid.int4, 4), field('n', TypeOid.int8, 8)];
    const w = new MessageWriter();
    rowEncoder(fields, [1, 1], defaultCodecContext)([258, 1n], w);
    const bytes = w.take();
    // 'D', length, 2 columns, (4, 00 00 01 02), (8, 00 … 01)
    expect(bytes.toString('hex')).toBe('44' + '0000001a' + '0002' + '00000004' + '00000102' + '00000008' + '0000000000000001');
  });

  it('drops a DataRow whose value failed to encode, so the ErrorResponse after it reads cleanly', () => {
    const fields = [field('i', TypeOid.int4, 4), field('b', TypeOid.bytea)];
    const w = new MessageWriter();
    const encode = rowEncoder(fields, [0, 1], defaultCodecContext);
    encode([1, new Uint8Array([7])], w);
    // A bytea column given a number: its encoder throws after the row has begun.
    expect(() => encode([2, 42], w)).toThrow();
    errorResponse(w, new PgError(SqlState.datatypeMismatch, 'bytea value expected'));
    expect(parseWritten(w).map((m) => m.name)).toEqual(['dataRow', 'error']);
    // And likewise when what is written so far is taken at once.
    expect(() => encode([3, 42], w)).toThrow();
    expect(w.take().length).toBe(0);
  });

  it('writes CommandComplete, EmptyQueryResponse and the extended-query acknowledgements', () => {
    const w = new MessageWriter();
    parseComplete(w);
    bindComplete(w);
    parameterDescription(w, [23, 25, 0xffffffff]);
    noData(w);
    portalSuspended(w);
    commandComplete(w, 'SELECT 42');
    emptyQueryResponse(w);
    closeComplete(w);
    const messages = parseWritten(w);
    expect(messages.map((m) => m.name)).toEqual([
      'parseComplete',
      'bindComplete',
      'parameterDescription',
      'noData',
      'portalSuspended',
      'commandComplete',
      'emptyQuery',
      'closeComplete',
    ]);
    expect(messages[2]!.dataTypeIDs).toEqual([23, 25, 0xffffffff]);
    expect(messages[5]!.text).toBe('SELECT 42');
  });
});

describe('errors and notices', () => {
  it('writes every field of an ErrorResponse', () => {
    const w = new MessageWriter();
    const error = new PgError(SqlState.undefinedColumn, 'column "x" does not exist', {
      detail: 'd',
      hint: 'h',
      position: 8,
      schema: 's',
      table: 't',
      column: 'x',
    });
    errorResponse(w, error);
    const [m] = parseWritten(w);
    expect(m).toMatchObject({
      name: 'error',
      severity: 'ERROR',
      code: '42703',
      message: 'column "x" does not exist',
      detail: 'd',
      hint: 'h',
      position: '8',
      schema: 's',
      table: 't',
      column: 'x',
    });
  });

  it('keeps framing when a message contains NUL (which a C string cannot hold)', () => {
    const w = new MessageWriter();
    noticeResponse(w, new PgError(SqlState.warning, 'a\0b', { severity: 'WARNING' }));
    readyForQuery(w, 'I');
    const [notice, ready] = parseWritten(w);
    expect([notice!.name, notice!.message, notice!.severity]).toEqual(['notice', 'ab', 'WARNING']);
    expect(ready!.status).toBe('I');
  });

  it('round-trips arbitrary messages and details', () => {
    fc.assert(
      fc.property(cstring.filter((s) => s !== ''), cstring, (message, detail) => {
        const w = new MessageWriter();
        errorResponse(w, new PgError(SqlState.syntaxError, message, { detail, severity: 'FATAL' }));
        const [m] = parseWritten(w);
        expect([m!.message, m!.detail ?? '', m!.severity, m!.code]).toEqual([message, detail, 'FATAL', '42601']);
      }),
    );
  });
});

describe('COPY out', () => {
  it('writes CopyOutResponse with per-column formats, CopyData and CopyDone', () => {
    const w = new MessageWriter();
    copyOutResponse(w, 0, 3);
    copyData(w, Buffer.from('1\tx\n'));
    copyDone(w);
    const [response, data, done] = parseWritten(w);
    expect(response).toMatchObject({ name: 'copyOutResponse', binary: false, columnTypes: [0, 0, 0] });
    expect(data!.chunk.toString()).toBe('1\tx\n');
    expect(done!.name).toBe('copyDone');
  });
});

describe('MessageWriter', () => {
  it('grows past its first buffer and hands large output over whole', () => {
    const w = new MessageWriter(16);
    for (let i = 0; i < 10_000; i++) commandComplete(w, `SELECT ${i}`);
    const messages = parseWritten(w);
    expect(messages.length).toBe(10_000);
    expect(messages.at(-1)!.text).toBe('SELECT 9999');
    expect(w.size).toBe(0);
  });
});
