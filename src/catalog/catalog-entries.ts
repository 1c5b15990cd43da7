/**
 * The federation catalog's objects as the store returns them. Each carries what the
 * matching pg_catalog row needs (OIDs, owners by role OID, attnums, typmods), so the
 * pg_catalog emulation is generated from these and nothing else.
 */

/** Ordered key/value pairs, as PostgreSQL keeps srvoptions / ftoptions / umoptions. */
export type OptionList = readonly (readonly [key: string, value: string])[];

/** pg_class.relkind of the relations the catalog holds. */
export const RelationKind = { foreignTable: 'f', partitionedTable: 'p' } as const;
export type RelationKind = (typeof RelationKind)[keyof typeof RelationKind];

/** PostgreSQL's bootstrap superuser OID; the catalog's first role gets it. */
export const BOOTSTRAP_ROLE_OID = 10;
/** PostgreSQL's OID of the public schema. */
export const PUBLIC_SCHEMA_OID = 2200;
/** pg_user_mapping.umuser of a mapping FOR PUBLIC. */
export const PUBLIC_ROLE_OID = 0;
/** The first OID the catalog allocates (PostgreSQL's FirstNormalObjectId). */
export const FIRST_CATALOG_OID = 16384;
/** The only foreign-data wrapper: a C2D party node. */
export const C2D_WRAPPER = 'c2d';
/** The security-label provider for column policies. */
export const C2D_LABEL_PROVIDER = 'c2d';

export interface RoleEntry {
  readonly oid: number;
  readonly name: string;
  /** `SCRAM-SHA-256$…` as pg_authid.rolpassword holds it; null for no password. */
  readonly verifier: string | null;
  readonly canLogin: boolean;
  readonly superuser: boolean;
}

export interface WrapperEntry {
  readonly oid: number;
  readonly name: string;
  readonly ownerOid: number;
}

export interface SchemaEntry {
  readonly oid: number;
  readonly name: string;
  readonly ownerOid: number;
}

export interface ServerEntry {
  readonly oid: number;
  readonly name: string;
  readonly wrapperOid: number;
  readonly ownerOid: number;
  /** CREATE SERVER … TYPE '…' */
  readonly type: string | null;
  /** CREATE SERVER … VERSION '…' */
  readonly version: string | null;
  readonly options: OptionList;
}

export interface UserMappingEntry {
  readonly oid: number;
  readonly serverOid: number;
  /** PUBLIC_ROLE_OID for a mapping FOR PUBLIC. */
  readonly roleOid: number;
  readonly options: OptionList;
}

export interface ColumnEntry {
  /** pg_attribute.attnum: 1-based, stable; a dropped column leaves a gap. */
  readonly attnum: number;
  readonly name: string;
  readonly typeOid: number;
  /** pg_attribute.atttypmod: -1 when the type has no modifier (varchar(10) is 14). */
  readonly typmod: number;
  readonly notNull: boolean;
}

/** A partition bound value as text (the key column's text form); null for NULL. */
export type PartitionValue = string | null;

export interface PartitionKey {
  readonly strategy: 'list';
  /** attnum of the key column in the partitioned table. */
  readonly attnum: number;
}

export interface PartitionBound {
  readonly parentOid: number;
  /** FOR VALUES IN (…), in the order given. */
  readonly values: readonly PartitionValue[];
}

export interface RelationEntry {
  readonly oid: number;
  readonly schemaOid: number;
  readonly name: string;
  readonly kind: RelationKind;
  readonly ownerOid: number;
  /** Ordered by attnum. */
  readonly columns: readonly ColumnEntry[];
  /** Foreign tables: the party holding the data. */
  readonly serverOid: number | null;
  /** Foreign tables: where the data lives at the party (table, schema, …). */
  readonly options: OptionList;
  /** Partitioned tables only. */
  readonly partitionKey: PartitionKey | null;
  /** Partitions only. */
  readonly partitionOf: PartitionBound | null;
}

export interface SecurityLabelEntry {
  readonly relationOid: number;
  /** pg_seclabel.objsubid: the column's attnum, 0 for the relation itself. */
  readonly attnum: number;
  readonly provider: string;
  readonly label: string;
}

export interface LedgerEntry {
  /** Increasing in append order. */
  readonly id: number;
  readonly at: Date;
  readonly user: string;
  readonly statement: string;
  readonly parties: readonly string[];
  readonly resultRows: number | null;
  /** What the query revealed, free-form. */
  readonly revealed: unknown;
}
