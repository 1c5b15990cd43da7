/**
 * The gateway's TLS key and certificate: the operator's files when given, else a
 * self-signed pair created on first start in the data directory and reused after.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  key: string;
  cert: string;
}

export interface TlsCertificateOptions {
  /** Where the self-signed pair lives (server.key, server.crt). */
  dir: string;
  keyFile?: string;
  certFile?: string;
  /** Host names and addresses the certificate names. */
  hosts: readonly string[];
}

export async function loadOrCreateTlsCertificate(options: TlsCertificateOptions): Promise<TlsMaterial> {
  if (options.keyFile || options.certFile) {
    if (!options.keyFile || !options.certFile) throw new Error('give both a TLS key file and a certificate file, or neither');
    return { key: await readFile(options.keyFile, 'utf8'), cert: await readFile(options.certFile, 'utf8') };
  }
  const keyPath = join(options.dir, 'server.key');
  const certPath = join(options.dir, 'server.crt');
  try {
    return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const hosts = [...new Set(options.hosts)];
  const pems = await generate([{ name: 'commonName', value: hosts.find((h) => !isIP(h)) ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 825 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })) },
    ],
  });
  await writeFile(keyPath, pems.private, { mode: 0o600 });
  await writeFile(certPath, pems.cert);
  return { key: pems.private, cert: pems.cert };
}
