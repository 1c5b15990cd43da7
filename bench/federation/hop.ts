/**
 * bench/federation/hop: what one gateway → party hop costs, apart from the engine. The
 * same exchange (a 300-byte request; a 100-byte and a 4,000-byte answer) over a grpc-js
 * server-streaming call with mutual TLS, as the party link makes it today, and over a
 * bare mutual-TLS socket, with the server answering at once or after a wait (as an engine
 * computing). Prints the median and 90th percentile of the time beyond the wait.
 * Usage: node dist/bench/federation/hop.js [waitMs=0,50] [calls=100]
 */
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { createCertificateAuthority, issueCertificate } from '../../src/party/certs.js';

const waits = (process.argv[2] ?? '0,50').split(',').map(Number);
const calls = Number(process.argv[3] ?? 100);
const request = Buffer.alloc(300, 1);
const answer = [Buffer.alloc(100, 2), Buffer.alloc(4000, 3)];
const answerBytes = answer.reduce((n, b) => n + b.length, 0);
let waitMs = 0;

const ca = await createCertificateAuthority('bench');
const server = await issueCertificate(ca, 'party', ['127.0.0.1']);
const client = await issueCertificate(ca, 'gateway', []);

const pass = (b: Buffer): Buffer => b;
const service = {
  exec: { path: '/bench.Hop/Exec', requestStream: false, responseStream: true, requestSerialize: pass, requestDeserialize: pass, responseSerialize: pass, responseDeserialize: pass },
} satisfies grpc.ServiceDefinition;
const grpcServer = new grpc.Server();
grpcServer.addService(service, {
  exec: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
    setTimeout(() => {
      for (const part of answer) call.write(part);
      call.end();
    }, waitMs);
  },
});
const grpcPort = await new Promise<number>((resolve, reject) =>
  grpcServer.bindAsync(
    '127.0.0.1:0',
    grpc.ServerCredentials.createSsl(Buffer.from(ca.cert), [{ private_key: Buffer.from(server.key), cert_chain: Buffer.from(server.cert) }], true),
    (error, port) => (error ? reject(error) : resolve(port)),
  ),
);
const Stub = grpc.makeGenericClientConstructor(service, 'Hop');
const stub = new Stub(`127.0.0.1:${grpcPort}`, grpc.credentials.createSsl(Buffer.from(ca.cert), Buffer.from(client.key), Buffer.from(client.cert)), {
  'grpc.ssl_target_name_override': 'party',
}) as unknown as grpc.Client & { exec(request: Buffer): grpc.ClientReadableStream<Buffer> };
const viaGrpc = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const call = stub.exec(request);
    call.on('data', () => {});
    call.on('end', resolve);
    call.on('error', reject);
  });

const tlsServer = createServer({ key: server.key, cert: server.cert, ca: ca.cert, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (socket) => {
  socket.setNoDelay(true);
  socket.on('data', () => setTimeout(() => socket.write(Buffer.concat(answer)), waitMs));
});
await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
const socket = connect({ host: '127.0.0.1', port: (tlsServer.address() as AddressInfo).port, key: client.key, cert: client.cert, ca: ca.cert, servername: 'party', minVersion: 'TLSv1.3' });
socket.setNoDelay(true);
await new Promise((resolve) => socket.once('secureConnect', resolve));
let received = 0;
let answered: () => void = () => {};
socket.on('data', (chunk: Buffer) => {
  received += chunk.length;
  if (received >= answerBytes) answered();
});
const viaTls = (): Promise<void> =>
  new Promise((resolve) => {
    received = 0;
    answered = resolve;
    socket.write(request);
  });

async function percentiles(run: () => Promise<void>): Promise<[number, number]> {
  for (let i = 0; i < 20; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start - waitMs);
  }
  times.sort((a, b) => a - b);
  return [times[Math.floor(calls / 2)]!, times[Math.floor(calls * 0.9)]!];
}

console.log(`bench/federation/hop: ${calls} exchanges each, time beyond the server's wait, ms`);
console.log('| server waits | grpc-js stream, p50 / p90 | bare TLS, p50 / p90 |');
console.log('|---|---|---|');
for (const wait of waits) {
  waitMs = wait;
  const g = await percentiles(viaGrpc);
  const t = await percentiles(viaTls);
  console.log(`| ${wait} ms | ${g[0].toFixed(2)} / ${g[1].toFixed(2)} | ${t[0].toFixed(2)} / ${t[1].toFixed(2)} |`);
}
socket.destroy();
tlsServer.close();
stub.close();
grpcServer.forceShutdown();
