/**
 * The functions that took the most CPU in a V8 CPU profile (self time), for the profiles
 * the three-process bench writes with C2D_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"
 * (one file per party). Written by hand: a dozen lines over the .cpuprofile JSON, where a
 * profiler UI would need a browser.
 * Usage: node dist/bench/mpc/profile-top.js DIR [rows=25]   (the first profile in DIR)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const dir = process.argv[2];
const rows = Number(process.argv[3] ?? 25);
if (!dir) {
  console.error('usage: node dist/bench/mpc/profile-top.js DIR [rows]');
  process.exit(2);
}
const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()[0];
if (!file) {
  console.error(`no .cpuprofile in ${dir}`);
  process.exit(1);
}
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const frame = byId.get(id)!.callFrame;
  const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
console.log(`${file}: ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms profiled; self time, ms:`);
for (const [key, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${(micros / 1000).toFixed(0).padStart(7)}  ${key}`);
