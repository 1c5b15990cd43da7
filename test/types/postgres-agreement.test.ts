/**
 * The codecs against the real PostgreSQL at 127.0.0.1:5432, byte for byte. For random and
 * edge values of every type: our binary array goes in, PostgreSQL's text and binary output
 * of each element must equal our encoders' and decode back to the value; our array text
 * goes in, PostgreSQL's array text and binary must equal ours. Then the same under other
 * settings: time zones, extra_float_digits, bytea_output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CodecContext } from '../../src/server/engine.js';
import { binaryDecoder, binaryEncoder, defaultCodecContext, textDecoder, textEncoder, TypeOid } from '../../src/sql/types/index.js';
import { daysFromCivil } from '../../src/sql/types/date-time.js';
import { PgOracle } from './pg-oracle.js';
import { arrayArb, comparable, typeCases, vectorCases, type TypeCase } from './type-cases.js';

let pg: PgOracle;

beforeAll(async () => {
  pg = await PgOracle.open();
});

afterAll(() => {
  pg?.close();
});

const RANDOM_VALUES = 150;

function hex(bytes: Uint8Array | null | undefined): string {
  return bytes ? Buffer.from(bytes).toString('hex') : 'NULL';
}

function canonical(c: TypeCase, v: unknown): unknown {
  return comparable(c.canonical ? c.canonical(v) : v);
}

/** Each value through PostgreSQL (sent as one binary array), compared element by element. */
async function checkElements(c: TypeCase, values: unknown[], ctx: CodecContext): Promise<void> {
  const param = { type: c.arrayOid, format: 1 as const, value: binaryEncoder(c.arrayOid)(values, ctx) };
  const sql = 'select x from unnest($1) with ordinality as u(x, n) order by n';
  const [text, binary] = await pg.run([
    { sql, params: [param], resultFormat: 0 },
    { sql, params: [param], resultFormat: 1 },
  ]);
  if ('error' in text! || 'error' in binary!) throw new Error(`${c.sql}: ${JSON.stringify('error' in text! ? text.error : (binary as { error: unknown }).error)}`);
  expect(text.rows.length).toBe(values.length);
  const encodeText = textEncoder(c.oid);
  const encodeBinary = binaryEncoder(c.oid);
  const decodeText = textDecoder(c.oid);
  const decodeBinary = binaryDecoder(c.oid);
  values.forEach((v, i) => {
    const pgText = text.rows[i]![0]!.toString('utf8');
    const pgBinary = binary.rows[i]![0]!;
    const label = `${c.sql} value #${i} ${String(comparable(v))}`;
    expect(encodeText(v, ctx), label).toBe(pgText);
    expect(hex(encodeBinary(v, ctx)), label).toBe(hex(pgBinary));
    // With extra_float_digits ≤ 0 floats are printed rounded: their text does not read back.
    if (ctx.extraFloatDigits > 0) expect(comparable(decodeText(pgText, ctx)), label).toEqual(canonical(c, v));
    expect(comparable(decodeBinary(pgBinary, ctx)), label).toEqual(canonical(c, v));
  });
}

/** Whole arrays as text into PostgreSQL: its array text and binary must be ours. */
async function checkArrays(c: TypeCase, arrays: unknown[][], ctx: CodecContext): Promise<void> {
  const queries = arrays.flatMap((a) => {
    const param = { type: c.arrayOid, format: 0 as const, value: Buffer.from(textEncoder(c.arrayOid)(a, ctx), 'utf8') };
    return [
      { sql: 'select $1', params: [param], resultFormat: 0 as const },
      { sql: 'select $1', params: [param], resultFormat: 1 as const },
    ];
  });
  const results = await pg.run(queries);
  arrays.forEach((a, i) => {
    const text = results[2 * i]!;
    const binary = results[2 * i + 1]!;
    const ours = textEncoder(c.arrayOid)(a, ctx);
    if ('error' in text || 'error' in binary) throw new Error(`${c.sql}[] ${ours}: ${JSON.stringify('error' in text ? text.error : binary)}`);
    expect(text.rows[0]![0]!.toString('utf8'), `${c.sql}[] ${ours}`).toBe(ours);
    expect(hex(binary.rows[0]![0]), `${c.sql}[] ${ours}`).toBe(hex(binaryEncoder(c.arrayOid)(a, ctx)));
    expect(comparable(textDecoder(c.arrayOid)(ours, ctx))).toEqual(comparable(binaryDecoder(c.arrayOid)(binary.rows[0]![0]!, ctx)));
  });
}

const seed = Date.now() % 1000000;

describe(`agreement with PostgreSQL (fast-check seed ${seed})`, () => {
  for (const c of typeCases) {
    it(`${c.sql}: text and binary output and input of each value`, async () => {
      const values = [...c.edges, ...fc.sample(c.arb, { numRuns: RANDOM_VALUES, seed })];
      await checkElements(c, values, defaultCodecContext);
    });
    it(`${c.sql}[]: array text and binary`, async () => {
      const arrays = [[], [null], c.edges, ...fc.sample(arrayArb(c.arb), { numRuns: 25, seed })];
      await checkArrays(c, arrays, defaultCodecContext);
    });
  }

  for (const c of vectorCases) {
    it(`${c.sql}: text and binary`, async () => {
      const values = [...c.edges, ...fc.sample(c.arb, { numRuns: 40, seed })];
      const queries = values.flatMap((v) => {
        // As text: PostgreSQL cannot receive an empty vector in binary (its own empty output).
        const param = { type: c.oid, format: 0 as const, value: Buffer.from(textEncoder(c.oid)(v, defaultCodecContext)) };
        return [0, 1].map((f) => ({ sql: 'select $1', params: [param], resultFormat: f as 0 | 1 }));
      });
      const results = await pg.run(queries);
      values.forEach((v, i) => {
        const text = results[2 * i]!;
        const binary = results[2 * i + 1]!;
        if ('error' in text || 'error' in binary) throw new Error(JSON.stringify(text));
        const pgText = text.rows[0]![0]!.toString('utf8');
        expect(textEncoder(c.oid)(v, defaultCodecContext)).toBe(pgText);
        expect(hex(binaryEncoder(c.oid)(v, defaultCodecContext))).toBe(hex(binary.rows[0]![0]));
        expect(textDecoder(c.oid)(pgText, defaultCodecContext)).toEqual(v);
        expect(binaryDecoder(c.oid)(binary.rows[0]![0]!, defaultCodecContext)).toEqual(v);
      });
    });
  }

  const zones = ['America/New_York', 'Europe/Paris', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/St_Johns', 'Pacific/Chatham', 'Africa/Casablanca', '+05:30', '-7', '5.5', 'UTC+2', 'europe/london'];
  const tz = typeCases.find((c) => c.oid === TypeOid.timestamptz)!;
  /** Instants around DST changes and far from today, where zone rules get interesting. */
  const dstEdges = [2024, 1970, 1918, 2037, 2100, 1883].flatMap((year) =>
    [3, 4, 10, 11].flatMap((month) =>
      [1, 8, 15, 25, 31].flatMap((day) =>
        day > 28 && month === 4 ? [] : [0, 1, 2, 3, 5, 7].map((h) => BigInt(daysFromCivil(year, month, Math.min(day, 30))) * 86400000000n + BigInt(h) * 3600000000n + 1800000000n),
      ),
    ),
  );
  for (const zone of zones) {
    it(`timestamptz output and input in TimeZone ${zone}`, async () => {
      await pg.exec(`SET TimeZone = '${zone}'`);
      try {
        const ctx = { ...defaultCodecContext, timeZone: zone };
        await checkElements(tz, [...tz.edges, ...dstEdges, ...fc.sample(tz.arb, { numRuns: 100, seed })], ctx);
        // Wall-clock times without an offset are read in the session zone, DST gaps and overlaps included.
        const local = dstEdges.map((t) => textEncoder(TypeOid.timestamp)(t, ctx));
        const results = await pg.run(
          local.map((text) => ({ sql: 'select $1', params: [{ type: TypeOid.timestamptz, format: 0 as const, value: Buffer.from(text) }], resultFormat: 1 as const })),
        );
        local.forEach((text, i) => {
          const r = results[i]!;
          if ('error' in r) throw new Error(r.error.message);
          expect(hex(binaryEncoder(TypeOid.timestamptz)(textDecoder(TypeOid.timestamptz)(text, ctx), ctx)), `${zone} ${text}`).toBe(hex(r.rows[0]![0]));
        });
      } finally {
        await pg.exec('RESET TimeZone');
      }
    });
  }

  for (const digits of [0, -4, -15, 3, 2]) {
    it(`float output with extra_float_digits = ${digits}`, async () => {
      await pg.exec(`SET extra_float_digits = ${digits}`);
      try {
        const ctx = { ...defaultCodecContext, extraFloatDigits: digits };
        for (const c of typeCases.filter((t) => t.oid === TypeOid.float4 || t.oid === TypeOid.float8)) {
          await checkElements(c, [...c.edges, ...fc.sample(c.arb, { numRuns: 200, seed })], ctx);
        }
      } finally {
        await pg.exec('RESET extra_float_digits');
      }
    });
  }

  it('bytea output with bytea_output = escape', async () => {
    await pg.exec(`SET bytea_output = 'escape'`);
    try {
      const c = typeCases.find((t) => t.oid === TypeOid.bytea)!;
      const ctx = { ...defaultCodecContext, byteaOutput: 'escape' as const };
      await checkElements(c, [...c.edges, ...fc.sample(c.arb, { numRuns: 100, seed })], ctx);
    } finally {
      await pg.exec('RESET bytea_output');
    }
  });

  it('float8 shortest output from 2^53 up, where interval boundaries can be short decimals', async () => {
    const c = typeCases.find((t) => t.oid === TypeOid.float8)!;
    const large = fc.sample(fc.double({ min: 2 ** 53, max: 1e25, noNaN: true }), { numRuns: 1500, seed });
    const round = fc.sample(fc.tuple(fc.integer({ min: 1, max: 99999 }), fc.integer({ min: 16, max: 22 })), { numRuns: 500, seed }).map(([m, e]) => m * 10 ** e);
    await checkElements(c, [-34881319776043912, ...large, ...round.flatMap((v) => [v, -v])], defaultCodecContext);
  });

  it('float4 shortest output for every power of two and its neighbours', async () => {
    const c = typeCases.find((t) => t.oid === TypeOid.float4)!;
    const values: number[] = [];
    const buf = new DataView(new ArrayBuffer(4));
    for (let e = -149; e <= 127; e++) {
      const p = Math.fround(2 ** e);
      buf.setFloat32(0, p);
      const bits = buf.getUint32(0);
      for (const d of [-1, 0, 1]) {
        buf.setUint32(0, bits + d);
        values.push(buf.getFloat32(0));
      }
    }
    await checkElements(c, values.filter((v) => Number.isFinite(v)), defaultCodecContext);
  });
});
