import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { generateDemoData } from '../demo/generate.js';
import { positiveNumber } from './options.js';

export function generateCommand(): Command {
  return new Command('generate')
    .description('write deterministic synthetic hospital data: one DuckDB file per party (bmc, mgh, bwh)')
    .option('--scale <n>', 'size: 1 = a population of 10,000 people', positiveNumber, 1)
    .option('--seed <n>', 'random seed; the same seed and scale give the same files', (v) => Number.parseInt(v, 10), 2016)
    .option('--dir <path>', 'folder for the DuckDB files', '.c2d/demo-data')
    .option('--no-progress', 'do not draw a progress bar')
    .action(async (opts: { scale: number; seed: number; dir: string; progress: boolean }) => {
      const bar = opts.progress && process.stderr.isTTY ? new SingleBar({ stream: process.stderr }, Presets.shades_classic) : null;
      bar?.start(Math.round(10_000 * opts.scale), 0);
      const counts = await generateDemoData({
        dir: opts.dir,
        scale: opts.scale,
        seed: opts.seed,
        onProgress: (done, total) => {
          bar?.setTotal(total);
          bar?.update(done);
        },
      });
      bar?.stop();
      for (const [party, c] of Object.entries(counts)) {
        console.log(
          `${party}: ${c.patients} patients, ${c.diagnoses} diagnoses, ${c.medications} prescriptions, ${c.trauma_cases} trauma cases`,
        );
      }
      console.log(`written to ${opts.dir}`);
    });
}
