// Secure less-than and equality over n signed 64-bit values, three parties in one
// process (one thread). Run after a build: node dist/bench/mpc/compare.js [n].
// A few seconds at the default n = 2^16.
import { equalA, lessThanA } from '../../src/mpc/comparisons.js';
import { InProcessFederation } from '../../src/mpc/in-process.js';

const n = Number(process.argv[2] ?? 1 << 16);
const a = BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, BigInt(i) * 0x9e3779b97f4a7c15n));
const b = BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, BigInt(n - i) * 0x9e3779b97f4a7c15n));

const federation = new InProcessFederation();
const { results } = await federation.run(async (party) => {
  const x = party.constantA(a);
  const y = party.constantA(b);
  const figures: string[] = [];
  for (const [name, op] of [
    ['less-than', lessThanA],
    ['equality', equalA],
  ] as const) {
    const before = { ...party.exchange.stats };
    const start = process.hrtime.bigint();
    await op(party, x, y);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const rounds = party.exchange.stats.rounds - before.rounds;
    const bytes = party.exchange.stats.bytesSent - before.bytesSent;
    figures.push(`${name.padEnd(10)} ${n} values: ${seconds.toFixed(2)} s (${(n / seconds / 1e6).toFixed(2)} M/s), ${rounds} rounds, ${(bytes / n).toFixed(0)} bytes/value sent by party ${party.self}`);
  }
  return figures;
});
await federation.close();
console.log('three parties on one thread (2 shared cores)');
for (const line of results[0]) console.log(line);
