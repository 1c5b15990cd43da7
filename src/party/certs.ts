/**
 * The federation's certificates: one CA, and a certificate per gateway and party signed by
 * it, so every link between them is mutual TLS with both ends checked against the CA.
 */
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface CertificateAuthority {
  key: string;
  cert: string;
}

export interface IssuedCertificate {
  key: string;
  cert: string;
  /** The CA certificate, to verify the other end. */
  ca: string;
}

const DAY = 86_400_000;

export async function createCertificateAuthority(name: string): Promise<CertificateAuthority> {
  const pems = await generate([{ name: 'commonName', value: `${name} federation CA` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 3650 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** A certificate for a member of the federation: `name` is its identity (a party's name, or "gateway"). */
export async function issueCertificate(ca: CertificateAuthority, name: string, hosts: readonly string[]): Promise<IssuedCertificate> {
  const altNames = [name, ...hosts].map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h }));
  const pems = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 825 * DAY),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert, ca: ca.cert };
}
