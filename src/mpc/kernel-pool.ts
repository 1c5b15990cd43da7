import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { KernelTask } from './kernel-worker.js';
import { RingKernels, type Words } from './ring-kernels.js';

// From dist/src/mpc the worker is beside this file; from the TypeScript source (vitest)
// it is in the build output.
const WORKER_CANDIDATES = ['./kernel-worker.js', '../../dist/src/mpc/kernel-worker.js'];

/** A column the pool's workers can read and write in place. */
export function sharedWords(length: number): Words {
  return new BigUint64Array(new SharedArrayBuffer(length * 8));
}

/**
 * The local step of replicated multiplication and AND split over a piscina pool of
 * worker threads, on columns in SharedArrayBuffers (no copy between threads; each
 * worker has its own WebAssembly instance). A batch below `minWords` runs on the
 * calling thread, where a task's hand-off would cost more than the kernel.
 * Outputs may alias inputs (each word is read before it is written, by one worker).
 *
 * Measured on this 2-core machine (bench/mpc/pool.ts): see the README. With three
 * party processes on two cores, every core is already busy with a party, so the
 * three-process bench runs the kernels on the party's own thread.
 */
export class KernelPool {
  readonly threads: number;
  readonly minWords: number;
  private readonly pool: Piscina;
  private readonly local = new RingKernels();

  constructor(options: { threads?: number; minWords?: number } = {}) {
    this.threads = options.threads ?? availableParallelism();
    this.minWords = options.minWords ?? 1 << 16;
    const filename = WORKER_CANDIDATES.map((c) => fileURLToPath(new URL(c, import.meta.url))).find((p) => existsSync(p));
    if (!filename) throw new PgError(SqlState.internalError, 'the MPC kernel worker is not built', { hint: 'Run "npm run build".' });
    this.pool = new Piscina({ filename: pathToFileURL(filename).href, minThreads: this.threads, maxThreads: this.threads, idleTimeout: 60_000 });
  }

  /** out = x0·y0 + x0·y1 + x1·y0 + alpha, element-wise, split over the workers. All columns SharedArrayBuffer-backed. */
  mulLocal(x0: Words, x1: Words, y0: Words, y1: Words, alpha: Words, out: Words): Promise<Words> {
    return this.run('mulLocal', [x0, x1, y0, y1, alpha, out]);
  }

  /** out = (x0&y0) ^ (x0&y1) ^ (x1&y0) ^ alpha, word-wise, split over the workers. */
  andLocal(x0: Words, x1: Words, y0: Words, y1: Words, alpha: Words, out: Words): Promise<Words> {
    return this.run('andLocal', [x0, x1, y0, y1, alpha, out]);
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }

  private async run(op: KernelTask['op'], columns: Words[]): Promise<Words> {
    const n = columns[0]!.length;
    for (const c of columns) {
      if (c.length !== n) throw new PgError(SqlState.internalError, `kernel operands differ in length (${n} and ${c.length})`);
      if (!(c.buffer instanceof SharedArrayBuffer)) throw new PgError(SqlState.internalError, 'a pooled kernel needs SharedArrayBuffer columns (sharedWords)');
    }
    const buffers = columns.map((c) => c.buffer as SharedArrayBuffer) as unknown as KernelTask['columns'];
    const offsets = columns.map((c) => c.byteOffset);
    const [x0, x1, y0, y1, alpha, out] = columns as [Words, Words, Words, Words, Words, Words];
    if (n < this.minWords) {
      if (op === 'mulLocal') this.local.mulLocal(x0, x1, y0, y1, alpha, out);
      else this.local.andLocal(x0, x1, y0, y1, alpha, out);
      return out;
    }
    // Slices on 2-word boundaries keep the kernels' SIMD pairs whole.
    const step = Math.ceil(n / this.threads / 2) * 2;
    const tasks: Promise<number>[] = [];
    for (let from = 0; from < n; from += step) {
      const task: KernelTask = { op, columns: buffers, offsets, from, to: Math.min(n, from + step) };
      tasks.push(this.pool.run(task) as Promise<number>);
    }
    await Promise.all(tasks);
    return out;
  }
}
