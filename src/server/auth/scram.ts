/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL does it: verifiers in PostgreSQL's
 * stored format, the server side of the exchange, no channel binding (the client may
 * say 'n' or 'y'; 'p' is refused). Passwords are never stored, only verifiers.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { PgError } from '../pg-error.js';
import { SqlState } from '../sqlstate.js';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';

export interface ScramVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, text: string | Buffer): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, as pg_authid.rolpassword holds it. */
export function createScramVerifier(password: string, iterations = 4096, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, 32, 'sha256');
  const storedKey = sha256(hmac(salted, 'Client Key'));
  const serverKey = hmac(salted, 'Server Key');
  return `${SCRAM_MECHANISM}$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export function parseScramVerifier(text: string): ScramVerifier | null {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(text);
  if (!m) return null;
  return {
    iterations: Number(m[1]),
    salt: Buffer.from(m[2]!, 'base64'),
    storedKey: Buffer.from(m[3]!, 'base64'),
    serverKey: Buffer.from(m[4]!, 'base64'),
  };
}

function authFailed(user: string): PgError {
  return new PgError(SqlState.invalidPassword, `password authentication failed for user "${user}"`, { severity: 'FATAL' });
}

function badMessage(what: string): PgError {
  return new PgError(SqlState.protocolViolation, `malformed SCRAM message (${what})`, { severity: 'FATAL' });
}

/**
 * One SCRAM exchange. For an unknown user it runs with a made-up verifier and fails at the
 * end, so a client cannot tell unknown users from wrong passwords.
 */
export class ScramExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';
  private readonly verifier: ScramVerifier;
  private readonly real: boolean;

  /** `serverNonce` fixes the server's half of the nonce (for test vectors); it is random otherwise. */
  constructor(
    private readonly user: string,
    verifier: ScramVerifier | null,
    mockSecret: Buffer,
    private readonly serverNonce: string = randomBytes(18).toString('base64'),
  ) {
    this.real = verifier !== null;
    this.verifier = verifier ?? {
      iterations: 4096,
      salt: hmac(mockSecret, `salt:${user}`).subarray(0, 16),
      storedKey: randomBytes(32),
      serverKey: randomBytes(32),
    };
  }

  /** client-first-message → server-first-message. */
  start(clientFirst: string): string {
    const m = /^([ny]),(a=[^,]*)?,(.*)$/.exec(clientFirst);
    if (!m) {
      if (clientFirst.startsWith('p=')) {
        throw new PgError(SqlState.protocolViolation, 'channel binding is not supported by this server', { severity: 'FATAL' });
      }
      throw badMessage('GS2 header');
    }
    // Acting as another role than the start-up user is not supported, as in PostgreSQL.
    if (m[2]) throw new PgError(SqlState.protocolViolation, 'client uses authorization identity, but it is not supported', { severity: 'FATAL' });
    this.gs2Header = `${m[1]},,`;
    this.clientFirstBare = m[3]!;
    const attrs = parseAttributes(this.clientFirstBare);
    const clientNonce = attrs.get('r');
    if (!clientNonce || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw badMessage('nonce');
    this.nonce = clientNonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  /** client-final-message → server-final-message, or PgError 28P01. */
  finish(clientFinal: string): string {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) throw badMessage('proof');
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = parseAttributes(withoutProof);
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64')) throw badMessage('channel binding');
    if (attrs.get('r') !== this.nonce) throw badMessage('nonce mismatch');
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.verifier.storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw authFailed(this.user);
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const ok = timingSafeEqual(sha256(clientKey), this.verifier.storedKey);
    if (!ok || !this.real) throw authFailed(this.user);
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}

function parseAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}
