// The MPC engine's public surface, layered as in MP-SPDZ/Secrecy: kernels and
// encodings → correlated randomness → sharing (Party, Batch) → primitives
// (conversions, comparisons). The exchange and transports live in src/net.
export { RingKernels, type PairSource, type Words } from './ring-kernels.js';
export { AesCtrPrg } from './prg.js';
export { CorrelatedRandomness } from './correlated-randomness.js';
export { aShare, bShare, shareLength, type AShare, type BShare, type NullableAShare } from './shares.js';
export { decodeFixed, encodeFixed, packBits, packedWords, ringToSigned, signedToRing, unpackBits } from './encoding.js';
export { Batch, Pending } from './batch.js';
export { Party } from './party.js';
export { a2b, b2a, bitToA } from './conversions.js';
export { equalA, equalB, lessThanA, muxA } from './comparisons.js';
export { equalSliced, equalSlicedB, lessThanSliced, SLICED_CHUNK_VALUES, type SlicedOptions } from './sliced.js';
export { KernelPool, sharedWords } from './kernel-pool.js';
export { InProcessFederation, type InProcessRun } from './in-process.js';
export {
  openAggregate,
  secureAggregate,
  secureAggregateAt,
  type AggregateOutputShare,
  type GroupPartial,
  type PartyInput,
  type SecureAggregateKind,
  type SecureAggregateRow,
  type SecureAggregateRun,
  type SecureAggregateSpec,
} from './secure-aggregate.js';
export { gatherA, sortA, sortByKeyA, sortingLayers, type ComparatorLayer } from './sort.js';
export { distinctWords, openDistinctCounts, secureDistinctCount, secureDistinctCountAt, type DistinctCounts } from './distinct-count.js';
export { runComputation } from './run-computation.js';
export { groupSumAt, openGroupSums, type GroupSum } from './group-by.js';
export { applyShuffle, shuffle, shuffleAndOpen, unshuffle, type Column, type SharedPermutation } from './shuffle.js';
export { prefixSumA, prefixSumWords, segmentedCopyA, segmentedMinMaxA, segmentedSumA } from './prefix.js';
export { bucketPartitionA, radixSortA, radixSortB, radixSortRounds, stablePartitionA, type RadixSortOptions } from './radix-sort.js';
export { quickSortA, quickSortB, quickSortLevelRounds } from './quicksort.js';
export { compactA, compactB } from './compaction.js';
export { groupAggregateA, type GroupAggregate, type GroupAggregateResult } from './group-aggregate.js';
export { pkFkJoinA, type JoinResult, type JoinSide } from './join.js';
export { divA, divisionRounds, divPublicA, quotientA, quotientRounds, type DivisionOptions, type QuotientOptions } from './division.js';
export { AVERAGE_COUNT_BITS, AVERAGE_FRACTION_BITS, averageA, averageOf, averageRounds, type SharedAverage } from './average.js';
