/**
 * A piscina worker for KernelPool: runs one slice of a kernel over columns that live in
 * SharedArrayBuffers, so nothing is copied between threads. One RingKernels (its own
 * WebAssembly instance) per worker thread.
 */
import { RingKernels } from './ring-kernels.js';

export interface KernelTask {
  readonly op: 'mulLocal' | 'andLocal';
  /** x0, x1, y0, y1, alpha, out: whole columns of equal length. */
  readonly columns: readonly [SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer];
  /** Byte offset of each column in its buffer. */
  readonly offsets: readonly number[];
  readonly from: number;
  readonly to: number;
}

const kernels = new RingKernels();

export default function runKernel(task: KernelTask): number {
  const [x0, x1, y0, y1, alpha, out] = task.columns.map((buffer, i) => new BigUint64Array(buffer, task.offsets[i]! + task.from * 8, task.to - task.from)) as [
    BigUint64Array,
    BigUint64Array,
    BigUint64Array,
    BigUint64Array,
    BigUint64Array,
    BigUint64Array,
  ];
  if (task.op === 'mulLocal') kernels.mulLocal(x0, x1, y0, y1, alpha, out);
  else kernels.andLocal(x0, x1, y0, y1, alpha, out);
  return task.to - task.from;
}
