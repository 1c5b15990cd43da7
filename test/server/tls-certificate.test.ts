/** The gateway's TLS material: a self-signed pair made once and reused, or the operator's files. */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateTlsCertificate } from '../../src/server/tls-certificate.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c2d-tls-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadOrCreateTlsCertificate', () => {
  it('creates a self-signed certificate for the given hosts on first start, with a private key only the owner reads', async () => {
    const own = join(dir, 'first');
    await mkdir(own);
    const material = await loadOrCreateTlsCertificate({ dir: own, hosts: ['127.0.0.1', 'localhost', 'gw.example'] });
    const cert = new X509Certificate(material.cert);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain('DNS:gw.example');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(material.key))).toBe(true);
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 86_400_000);
    expect((await stat(join(own, 'server.key'))).mode & 0o077).toBe(0);
    expect(await readFile(join(own, 'server.crt'), 'utf8')).toBe(material.cert);
  });

  it('reuses the pair on the next start', async () => {
    const own = join(dir, 'second');
    await mkdir(own);
    const first = await loadOrCreateTlsCertificate({ dir: own, hosts: ['localhost'] });
    const again = await loadOrCreateTlsCertificate({ dir: own, hosts: ['localhost'] });
    expect(again).toEqual(first);
  });

  it("loads the operator's key and certificate files instead, and wants both", async () => {
    const made = await loadOrCreateTlsCertificate({ dir, hosts: ['localhost'] });
    const keyFile = join(dir, 'operator.key');
    const certFile = join(dir, 'operator.crt');
    await writeFile(keyFile, made.key);
    await writeFile(certFile, made.cert);
    const other = join(dir, 'unused');
    expect(await loadOrCreateTlsCertificate({ dir: other, keyFile, certFile, hosts: [] })).toEqual(made);
    await expect(loadOrCreateTlsCertificate({ dir: other, keyFile, hosts: [] })).rejects.toThrow(/both/);
  });
});
