/**
 * The federation's certificates as files in one folder, as `c2d certs` writes them:
 * ca.crt / ca.key, and <name>.crt / <name>.key for the gateway and each party.
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate, type IssuedCertificate } from './certs.js';

export async function writeFederationCertificates(dir: string, names: readonly string[], hosts: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const ca = await createCertificateAuthority('c2d');
  await writeFile(join(dir, 'ca.key'), ca.key, { mode: 0o600 });
  await writeFile(join(dir, 'ca.crt'), ca.cert);
  for (const name of names) {
    const issued = await issueCertificate(ca, name, hosts);
    await writeFile(join(dir, `${name}.key`), issued.key, { mode: 0o600 });
    await writeFile(join(dir, `${name}.crt`), issued.cert);
  }
}

export function federationCertificatesExist(dir: string): Promise<boolean> {
  return access(join(dir, 'ca.key')).then(() => true, () => false);
}

/** One member's certificate and key, with the CA certificate to check the other end. */
export async function readFederationCertificate(dir: string, name: string): Promise<IssuedCertificate> {
  const [key, cert, ca] = await Promise.all([
    readFile(join(dir, `${name}.key`), 'utf8'),
    readFile(join(dir, `${name}.crt`), 'utf8'),
    readFile(join(dir, 'ca.crt'), 'utf8'),
  ]);
  return { key, cert, ca };
}
