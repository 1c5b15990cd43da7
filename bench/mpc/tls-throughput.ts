// Channel cost: one-way throughput and CPU per byte between two Node processes on
// loopback, over mutual TLS 1.3 with the federation's kind of certificates (or plain
// TCP for the ceiling), either raw socket writes or TlsTransport frames.
//   node dist/bench/mpc/tls-throughput.js [MiB=512] [writeKiB=4096] [cipher=default] [mode=raw]
// cipher: default (Node's TLS 1.3 list), aes128 (TLS_AES_128_GCM_SHA256),
// aes256 (TLS_AES_256_GCM_SHA384), chacha (TLS_CHACHA20_POLY1305_SHA256), tcp (no TLS).
// mode: raw (socket.write of writeKiB, the receiver counts bytes) or transport
// (TlsTransport.send of writeKiB frames from party 0 to party 1; TLS only).
import { fork } from 'node:child_process';
import { createServer as createTcpServer, connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, createServer as createTlsServer } from 'node:tls';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createCertificateAuthority, issueCertificate } from '../../src/party/certs.js';
import { TlsTransport, type PeerAddress } from '../../src/net/tls-transport.js';
import { FrameKind } from '../../src/net/frame.js';

const SUITES: Record<string, string | undefined> = {
  default: undefined,
  aes128: 'TLS_AES_128_GCM_SHA256',
  aes256: 'TLS_AES_256_GCM_SHA384',
  chacha: 'TLS_CHACHA20_POLY1305_SHA256',
};

interface Job {
  role: 'sender';
  mib: number;
  writeKiB: number;
  cipher: string;
  mode: string;
  port: number;
  parties?: [PeerAddress, PeerAddress, PeerAddress];
  creds: { key: string; cert: string; ca: string };
}

const cpuMs = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;

if (process.argv[2] === 'sender') {
  const job = JSON.parse(process.argv[3]!) as Job;
  const total = job.mib * 2 ** 20;
  const size = job.writeKiB * 1024;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  if (job.mode === 'transport') {
    const transport = await TlsTransport.open({ self: 0, parties: job.parties!, ...job.creds, connectTimeoutMs: 600_000, ciphers: SUITES[job.cipher] });
    transport.listen({ frame: () => process.send!({ cpuMs: cpuMs(process.cpuUsage(c0)), ms: performance.now() - t0 }), peerFailed: () => {} });
    for (let sent = 0; sent < total; sent += size) {
      await transport.send(1, { kind: FrameKind.data, from: 0, computationId: 'bench', round: sent / size, lane: 0, payload: new Uint8Array(size) });
    }
  } else {
    const socket: Socket =
      job.cipher === 'tcp'
        ? connectTcp({ host: '127.0.0.1', port: job.port })
        : connectTls({ host: '127.0.0.1', port: job.port, servername: 'p0', ...job.creds, minVersion: 'TLSv1.3', ciphers: SUITES[job.cipher] });
    await new Promise((resolve) => socket.once(job.cipher === 'tcp' ? 'connect' : 'secureConnect', resolve));
    socket.setNoDelay(true);
    socket.once('data', () => process.send!({ cpuMs: cpuMs(process.cpuUsage(c0)), ms: performance.now() - t0 }));
    const chunk = new Uint8Array(size);
    for (let sent = 0; sent < total; sent += size) {
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
    }
  }
} else {
  const [mib, writeKiB] = [512, 4096].map((d, i) => Number(process.argv[2 + i] ?? d)) as [number, number];
  const cipher = process.argv[4] ?? 'default';
  const mode = process.argv[5] ?? 'raw';
  if (!(cipher in SUITES) && cipher !== 'tcp') throw new Error(`unknown cipher ${cipher}`);
  const ca = await createCertificateAuthority('bench');
  const issued = await Promise.all(['p0', 'p1', 'p2'].map((name) => issueCertificate(ca, name, ['127.0.0.1'])));
  const total = mib * 2 ** 20;
  let received = 0;
  let c0 = process.cpuUsage();
  let t0 = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let suite = 'none';
  let port = 0;
  let parties: [PeerAddress, PeerAddress, PeerAddress] | undefined;
  const count = (bytes: number, ack: () => void): void => {
    if (received === 0) {
      c0 = process.cpuUsage();
      t0 = performance.now();
    }
    received += bytes;
    if (received >= total) {
      ack();
      done();
    }
  };
  const onSocket = (socket: Socket): void => {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => count(chunk.byteLength, () => socket.write('k')));
  };
  let receiver: TlsTransport | null = null;
  let bystander: TlsTransport | null = null;
  if (mode === 'transport') {
    const freePort = async (): Promise<number> => {
      const free = createTcpServer();
      await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
      const p = (free.address() as { port: number }).port;
      await new Promise((resolve) => free.close(resolve));
      return p;
    };
    // Party 2 opens its links too (a transport whose peer never comes fails them all) and sends nothing.
    parties = [
      { name: 'p0', host: '127.0.0.1', port: await freePort() },
      { name: 'p1', host: '127.0.0.1', port: await freePort() },
      { name: 'p2', host: '127.0.0.1', port: await freePort() },
    ];
    receiver = await TlsTransport.open({ self: 1, parties, ...issued[1]!, connectTimeoutMs: 600_000, ciphers: SUITES[cipher] });
    bystander = await TlsTransport.open({ self: 2, parties, ...issued[2]!, connectTimeoutMs: 600_000, ciphers: SUITES[cipher] });
    bystander.listen({ frame: () => {}, peerFailed: () => {} });
    const r = receiver;
    r.listen({
      frame: (frame) => count(frame.payload.byteLength, () => void r.send(0, { kind: FrameKind.data, from: 1, computationId: 'bench', round: 0, lane: 0, payload: new Uint8Array(1) })),
      peerFailed: () => {},
    });
    suite = cipher;
  } else {
    const server =
      cipher === 'tcp'
        ? createTcpServer(onSocket)
        : createTlsServer({ ...issued[0]!, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3', ciphers: SUITES[cipher] }, (s) => {
            suite = s.getCipher().standardName;
            onSocket(s);
          });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    void finished.then(() => server.close());
  }
  const creds = mode === 'transport' ? issued[0]! : issued[1]!;
  const child = fork(fileURLToPath(import.meta.url), ['sender', JSON.stringify({ role: 'sender', mib, writeKiB, cipher, mode, port, parties, creds: { key: creds.key, cert: creds.cert, ca: creds.ca } } satisfies Job)]);
  const sender = await new Promise<{ cpuMs: number; ms: number }>((resolve) => child.once('message', (m) => resolve(m as { cpuMs: number; ms: number })));
  await finished;
  const ms = performance.now() - t0;
  const recvCpu = cpuMs(process.cpuUsage(c0));
  child.kill();
  await receiver?.close();
  await bystander?.close();
  const mbps = total / 1e6 / (ms / 1000);
  console.log(
    `${mode} ${cipher} (${suite}), ${mib} MiB in ${writeKiB} KiB writes: ${ms.toFixed(0)} ms, ${mbps.toFixed(0)} MB/s; CPU sender ${sender.cpuMs.toFixed(0)} ms, receiver ${recvCpu.toFixed(0)} ms; ${((sender.cpuMs + recvCpu) * 1e6 / total).toFixed(2)} ns CPU/byte both ends; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  process.exit(0);
}
