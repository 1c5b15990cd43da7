/**
 * A consistent picture of the whole catalog, read in one transaction: what the binder
 * resolves names against and what the pg_catalog emulation is generated from. Catalogs
 * are small (parties, tables and their columns), so it is read whole.
 */
import type {
  RelationEntry,
  RoleEntry,
  SchemaEntry,
  SecurityLabelEntry,
  ServerEntry,
  UserMappingEntry,
  WrapperEntry,
} from './catalog-entries.js';
import { C2D_LABEL_PROVIDER } from './catalog-entries.js';
import type { QualifiedName } from './catalog-requests.js';

/** The catalog's contents by OID; CatalogWriter keeps it in step with what it writes. */
export interface CatalogData {
  readonly roles: Map<number, RoleEntry>;
  readonly wrappers: Map<number, WrapperEntry>;
  readonly schemas: Map<number, SchemaEntry>;
  readonly servers: Map<number, ServerEntry>;
  readonly userMappings: Map<number, UserMappingEntry>;
  readonly relations: Map<number, RelationEntry>;
  /** Keyed by labelKey(). */
  readonly labels: Map<string, SecurityLabelEntry>;
}

export function labelKey(relationOid: number, attnum: number, provider: string): string {
  return `${relationOid}:${attnum}:${provider}`;
}

const byOid = <T extends { readonly oid: number }>(map: Map<number, T>): T[] =>
  [...map.values()].sort((a, b) => a.oid - b.oid);

export class CatalogSnapshot {
  constructor(
    /** Bumped by every DDL transaction: compare to know whether a cached copy is stale. */
    readonly version: number,
    private readonly data: CatalogData,
  ) {}

  get roles(): RoleEntry[] {
    return byOid(this.data.roles);
  }
  get wrappers(): WrapperEntry[] {
    return byOid(this.data.wrappers);
  }
  get schemas(): SchemaEntry[] {
    return byOid(this.data.schemas);
  }
  get servers(): ServerEntry[] {
    return byOid(this.data.servers);
  }
  get userMappings(): UserMappingEntry[] {
    return byOid(this.data.userMappings);
  }
  get relations(): RelationEntry[] {
    return byOid(this.data.relations);
  }
  get securityLabels(): SecurityLabelEntry[] {
    return [...this.data.labels.values()].sort((a, b) => a.relationOid - b.relationOid || a.attnum - b.attnum);
  }

  role(name: string): RoleEntry | undefined {
    return find(this.data.roles, (r) => r.name === name);
  }
  roleByOid(oid: number): RoleEntry | undefined {
    return this.data.roles.get(oid);
  }
  wrapper(name: string): WrapperEntry | undefined {
    return find(this.data.wrappers, (w) => w.name === name);
  }
  wrapperByOid(oid: number): WrapperEntry | undefined {
    return this.data.wrappers.get(oid);
  }
  schema(name: string): SchemaEntry | undefined {
    return find(this.data.schemas, (s) => s.name === name);
  }
  schemaByOid(oid: number): SchemaEntry | undefined {
    return this.data.schemas.get(oid);
  }
  server(name: string): ServerEntry | undefined {
    return find(this.data.servers, (s) => s.name === name);
  }
  serverByOid(oid: number): ServerEntry | undefined {
    return this.data.servers.get(oid);
  }
  userMapping(serverOid: number, roleOid: number): UserMappingEntry | undefined {
    return find(this.data.userMappings, (m) => m.serverOid === serverOid && m.roleOid === roleOid);
  }
  userMappingsOf(serverOid: number): UserMappingEntry[] {
    return this.userMappings.filter((m) => m.serverOid === serverOid);
  }

  /** An unqualified name is looked up in `public`. */
  relation(name: QualifiedName): RelationEntry | undefined {
    const schema = this.schema(name.schema ?? 'public');
    if (!schema) return undefined;
    return find(this.data.relations, (r) => r.schemaOid === schema.oid && r.name === name.name);
  }
  relationByOid(oid: number): RelationEntry | undefined {
    return this.data.relations.get(oid);
  }
  relationsIn(schemaOid: number): RelationEntry[] {
    return this.relations.filter((r) => r.schemaOid === schemaOid);
  }
  foreignTablesOf(serverOid: number): RelationEntry[] {
    return this.relations.filter((r) => r.serverOid === serverOid);
  }
  /** A partitioned table's partitions, oldest first (the order \d+ lists them in is by name). */
  partitionsOf(parentOid: number): RelationEntry[] {
    return this.relations.filter((r) => r.partitionOf?.parentOid === parentOid);
  }
  /** The schema-qualified name of a relation, as `schema.name` parts. */
  qualifiedName(relation: RelationEntry): { schema: string; name: string } {
    return { schema: this.data.schemas.get(relation.schemaOid)?.name ?? '?', name: relation.name };
  }

  securityLabel(relationOid: number, attnum: number, provider: string = C2D_LABEL_PROVIDER): string | undefined {
    return this.data.labels.get(labelKey(relationOid, attnum, provider))?.label;
  }
  labelsOf(relationOid: number): SecurityLabelEntry[] {
    return this.securityLabels.filter((l) => l.relationOid === relationOid);
  }
}

function find<T>(map: Map<number, T>, predicate: (entry: T) => boolean): T | undefined {
  for (const entry of map.values()) if (predicate(entry)) return entry;
  return undefined;
}
