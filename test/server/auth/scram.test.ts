/**
 * SCRAM-SHA-256 on the server side: PostgreSQL's verifier format, RFC 7677's test vector,
 * and every way a client message can be wrong.
 */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ScramExchange, createScramVerifier, parseScramVerifier } from '../../../src/server/auth/scram.js';
import { PgError } from '../../../src/server/pg-error.js';

const mockSecret = Buffer.alloc(32, 7);

// RFC 7677, section 3.
const rfc = {
  password: 'pencil',
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

/** A client's side of the exchange, written from RFC 5802 for these tests. */
function clientFinal(password: string, gs2: string, clientFirstBare: string, serverFirst: string): string {
  const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash('sha256').update(clientKey).digest();
  const withoutProof = `c=${Buffer.from(gs2).toString('base64')},r=${attrs.r}`;
  const signature = hmac(storedKey, `${clientFirstBare},${serverFirst},${withoutProof}`);
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
  return `${withoutProof},p=${proof.toString('base64')}`;
}

function failure(fn: () => unknown): PgError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PgError);
    return error as PgError;
  }
  throw new Error('expected a PgError');
}

describe('verifiers', () => {
  it('writes PostgreSQL\'s format: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>', () => {
    const text = createScramVerifier('pencil', 4096, rfc.salt);
    expect(text).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    const v = parseScramVerifier(text)!;
    const salted = pbkdf2Sync('pencil', rfc.salt, 4096, 32, 'sha256');
    expect(v.iterations).toBe(4096);
    expect(v.salt.equals(rfc.salt)).toBe(true);
    expect(v.storedKey.equals(createHash('sha256').update(hmac(salted, 'Client Key')).digest())).toBe(true);
    expect(v.serverKey.equals(hmac(salted, 'Server Key'))).toBe(true);
  });

  it('uses a fresh random salt each time and never contains the password', () => {
    const a = createScramVerifier('secret-password');
    const b = createScramVerifier('secret-password');
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret-password');
    expect(parseScramVerifier(createScramVerifier('x', 10_000))!.iterations).toBe(10_000);
  });

  it('does not take other formats for a SCRAM verifier', () => {
    for (const text of ['md5abcdef', 'analyst', 'SCRAM-SHA-256$4096:abc', '']) expect(parseScramVerifier(text)).toBeNull();
  });
});

describe('the exchange', () => {
  it('reproduces RFC 7677\'s test vector', () => {
    const exchange = new ScramExchange('user', parseScramVerifier(createScramVerifier(rfc.password, 4096, rfc.salt)), mockSecret, rfc.serverNonce);
    expect(exchange.start(rfc.clientFirst)).toBe(rfc.serverFirst);
    expect(exchange.finish(rfc.clientFinal)).toBe(rfc.serverFinal);
  });

  for (const gs2 of ['n,,', 'y,,']) {
    it(`accepts the GS2 header "${gs2}" (no channel binding)`, () => {
      const exchange = new ScramExchange('u', parseScramVerifier(createScramVerifier('pw')), mockSecret);
      const bare = 'n=,r=clientnonce123';
      const serverFirst = exchange.start(gs2 + bare);
      expect(exchange.finish(clientFinal('pw', gs2, bare, serverFirst))).toMatch(/^v=/);
    });
  }

  it('fails a wrong password and an unknown user alike, with FATAL 28P01', () => {
    const errors = [
      new ScramExchange('analyst', parseScramVerifier(createScramVerifier('right')), mockSecret),
      new ScramExchange('analyst', null, mockSecret),
    ].map((exchange) => {
      const bare = 'n=,r=abcdefgh';
      const serverFirst = exchange.start('n,,' + bare);
      expect(serverFirst).toMatch(/^r=abcdefgh[^,]+,s=[^,]+,i=4096$/);
      return failure(() => exchange.finish(clientFinal('wrong', 'n,,', bare, serverFirst)));
    });
    for (const e of errors) {
      expect([e.code, e.severity, e.message]).toEqual(['28P01', 'FATAL', 'password authentication failed for user "analyst"']);
    }
  });

  it('gives an unknown user the same salt every time, so probing does not reveal it', () => {
    const salt = (): string => new ScramExchange('ghost', null, mockSecret).start('n,,n=,r=abc').split(',')[1]!;
    expect(salt()).toBe(salt());
    expect(new ScramExchange('other', null, mockSecret).start('n,,n=,r=abc').split(',')[1]).not.toBe(salt());
  });

  it('refuses channel binding, an authorization identity, a bad nonce and a tampered final message', () => {
    const verifier = parseScramVerifier(createScramVerifier('pw'));
    const fresh = (): ScramExchange => new ScramExchange('u', verifier, mockSecret);
    expect(failure(() => fresh().start('p=tls-server-end-point,,n=,r=abc')).code).toBe('08P01');
    expect(failure(() => fresh().start('n,a=admin,n=,r=abc')).message).toMatch(/authorization identity/);
    expect(failure(() => fresh().start('n,,n=,r=')).code).toBe('08P01');
    expect(failure(() => fresh().start('garbage')).code).toBe('08P01');

    const exchange = fresh();
    const bare = 'n=,r=abcdefgh';
    const serverFirst = exchange.start('n,,' + bare);
    const good = clientFinal('pw', 'n,,', bare, serverFirst);
    expect(failure(() => fresh().finish(good)).code).toBe('08P01'); // nonce of another exchange
    expect(failure(() => exchange.finish(good.replace('c=biws', 'c=eSws'))).code).toBe('08P01'); // GS2 header changed
    expect(failure(() => exchange.finish(good.replace(/p=.*/, 'p=AAAA'))).code).toBe('28P01'); // short proof
    expect(failure(() => exchange.finish(good.replace(/,p=.*/, ''))).code).toBe('08P01');
    expect(exchange.finish(good)).toMatch(/^v=/);
  });
});
