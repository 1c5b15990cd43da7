/**
 * Partitions of a federated table: a partition's FOR VALUES IN list may share no value
 * with a sibling's (each party's rows belong to exactly one partition), and a partition's
 * columns must be its parent's, by name, type and NOT NULL, as PostgreSQL requires.
 */
import type { ColumnEntry, PartitionBound, PartitionValue, RelationEntry } from './catalog-entries.js';
import { catalogError } from './catalog-errors.js';
import { partitionValueKey } from './catalog-rows.js';
import type { CatalogSnapshot } from './catalog-snapshot.js';
import { canonicalPartitionValue } from './partition-values.js';

/** Checks a new bound against the parent's other partitions. */
export function checkBound(
  snapshot: CatalogSnapshot,
  parent: RelationEntry,
  partitionName: string,
  values: readonly PartitionValue[],
  partitionOid: number | null,
): PartitionBound {
  if (!Array.isArray(values) || values.length === 0) throw catalogError.emptyBound();
  const key = parent.columns.find((c) => c.attnum === parent.partitionKey?.attnum);
  if (!key) throw new Error(`partitioned table ${parent.name} has no key column`);
  values = values.map((value) => canonicalPartitionValue(key, value));
  const keys = new Set(values.map(partitionValueKey));
  for (const sibling of snapshot.partitionsOf(parent.oid)) {
    if (sibling.oid === partitionOid) continue;
    if (sibling.partitionOf!.values.some((value) => keys.has(partitionValueKey(value)))) {
      throw catalogError.overlap(partitionName, sibling.name);
    }
  }
  return { parentOid: parent.oid, values: [...values] };
}

/** ALTER TABLE parent ATTACH PARTITION child: PostgreSQL's column checks, in its order. */
export function checkPartitionColumns(parent: RelationEntry, childName: string, childColumns: readonly ColumnEntry[]): void {
  const parentColumns = new Map(parent.columns.map((c) => [c.name, c]));
  for (const column of childColumns) {
    if (!parentColumns.has(column.name)) throw catalogError.childExtraColumn(childName, column.name, parent.name);
  }
  const byName = new Map(childColumns.map((c) => [c.name, c]));
  for (const column of parent.columns) {
    const own = byName.get(column.name);
    if (!own) throw catalogError.childMissingColumn(column.name);
    if (own.typeOid !== column.typeOid || own.typmod !== column.typmod) throw catalogError.childTypeMismatch(childName, column.name);
    if (column.notNull && !own.notNull) throw catalogError.childMustBeNotNull(column.name);
  }
}
