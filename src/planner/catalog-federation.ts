/**
 * The planner's view of the federation, read from a catalog snapshot: a partitioned table
 * is federated over its foreign partitions (one per party and key value); a foreign table
 * on its own is a federated table with one partition and no key. Where a partition's rows
 * live at its party is the foreign table's `table` option (default: its own name).
 */
import type { CatalogSnapshot } from '../catalog/catalog-snapshot.js';
import type { RelationEntry } from '../catalog/catalog-entries.js';
import { RelationKind } from '../catalog/catalog-entries.js';
import { optionValue } from '../catalog/option-list.js';
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { FederatedPartition, FederatedTable, Federation, FederationSource, FederationView, PartyDirectory } from './federation.js';

export function federationFromSnapshot(snapshot: CatalogSnapshot): FederationView {
  const cache = new Map<number, FederatedTable>();
  return {
    table(schema, name) {
      const relation = snapshot.relation(schema === undefined ? { name } : { schema, name });
      if (!relation) return undefined;
      let table = cache.get(relation.oid);
      if (!table) {
        table = federatedTable(snapshot, relation);
        cache.set(relation.oid, table);
      }
      return table;
    },
  };
}

function federatedTable(snapshot: CatalogSnapshot, relation: RelationEntry): FederatedTable {
  // A label on a partition's parent column covers the partition's column of the same name.
  const parent = relation.partitionOf ? snapshot.relationByOid(relation.partitionOf.parentOid) : undefined;
  const isProtected = (name: string, attnum: number): boolean => {
    if (snapshot.securityLabel(relation.oid, attnum) === 'protected') return true;
    const parentColumn = parent?.columns.find((c) => c.name === name);
    return parentColumn !== undefined && snapshot.securityLabel(parent!.oid, parentColumn.attnum) === 'protected';
  };
  const columns = relation.columns.map((c) => ({ name: c.name, typeOid: c.typeOid, typmod: c.typmod, nullable: !c.notNull, protected: isProtected(c.name, c.attnum) }));
  const schema = snapshot.qualifiedName(relation).schema;
  if (relation.kind === RelationKind.partitionedTable) {
    const keyColumn = relation.columns.find((c) => c.attnum === relation.partitionKey?.attnum);
    return {
      schema,
      name: relation.name,
      columns,
      partitionKey: keyColumn?.name ?? null,
      partitions: snapshot.partitionsOf(relation.oid).map((p) => partition(snapshot, p)),
    };
  }
  // A foreign table queried directly, whether or not it is also a partition.
  const keyColumn = parent?.columns.find((c) => c.attnum === parent.partitionKey?.attnum);
  return {
    schema,
    name: relation.name,
    columns,
    partitionKey: keyColumn?.name ?? null,
    partitions: [partition(snapshot, relation)],
  };
}

function partition(snapshot: CatalogSnapshot, relation: RelationEntry): FederatedPartition {
  const server = relation.serverOid === null ? undefined : snapshot.serverByOid(relation.serverOid);
  if (!server) throw new PgError(SqlState.undefinedObject, `foreign table "${relation.name}" has no server`);
  const values = relation.partitionOf?.values ?? [];
  if (values.length > 1) {
    // The key's value is not stored at the party, so one partition must stand for one value.
    throw new PgError(SqlState.featureNotSupported, `partition "${relation.name}" lists ${values.length} values`, {
      hint: 'Give each party its own partition: FOR VALUES IN (\'one value\').',
    });
  }
  return {
    party: server.name,
    exportedTable: optionValue(relation.options, 'table') ?? relation.name,
    value: values[0] ?? null,
  };
}

/**
 * How long a catalog version read serves later queries: DDL run through this gateway shows
 * at once; DDL through another gateway sharing the catalog shows within this time.
 */
const VERSION_MAX_AGE_MS = 500;

/**
 * The federation as the catalog has it now: the snapshot is read again only when a DDL
 * transaction has changed the catalog's version since the last query.
 */
export function catalogFederationSource(
  catalog: { version(maxAgeMs?: number): Promise<number>; snapshot(): Promise<CatalogSnapshot> },
  parties: (snapshot: CatalogSnapshot) => PartyDirectory,
): FederationSource {
  let cached: { version: number; federation: Promise<Federation> } | null = null;
  return async () => {
    const version = await catalog.version(VERSION_MAX_AGE_MS);
    if (cached?.version !== version) {
      const federation = catalog.snapshot().then((snapshot) => ({ view: federationFromSnapshot(snapshot), parties: parties(snapshot) }));
      cached = { version, federation };
      federation.catch(() => {
        if (cached?.federation === federation) cached = null;
      });
    }
    return cached.federation;
  };
}
