/**
 * The errors and notices of the catalog's DDL, with PostgreSQL's SQLSTATEs and wording
 * (checked against PostgreSQL 15), so a client sees what PostgreSQL would have said.
 */
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';

export const catalogError = {
  duplicateServer: (name: string) => new PgError(SqlState.duplicateObject, `server "${name}" already exists`),
  undefinedServer: (name: string) => new PgError(SqlState.undefinedObject, `server "${name}" does not exist`),
  undefinedWrapper: (name: string) => new PgError(SqlState.undefinedObject, `foreign-data wrapper "${name}" does not exist`),
  duplicateRole: (name: string) => new PgError(SqlState.duplicateObject, `role "${name}" already exists`),
  undefinedRole: (name: string) => new PgError(SqlState.undefinedObject, `role "${name}" does not exist`),
  reservedRoleName: (name: string) =>
    new PgError(SqlState.reservedName, `role name "${name}" is reserved`,
      name.startsWith('pg_') ? { detail: 'Role names starting with "pg_" are reserved.' } : {}),
  duplicateSchema: (name: string) => new PgError(SqlState.duplicateSchema, `schema "${name}" already exists`),
  undefinedSchema: (name: string) => new PgError(SqlState.invalidSchemaName, `schema "${name}" does not exist`),
  duplicateRelation: (name: string) => new PgError(SqlState.duplicateTable, `relation "${name}" already exists`),
  duplicateRelationInSchema: (name: string, schema: string) =>
    new PgError(SqlState.duplicateTable, `relation "${name}" already exists in schema "${schema}"`),
  undefinedRelation: (name: string) => new PgError(SqlState.undefinedTable, `relation "${name}" does not exist`),
  undefinedTable: (name: string) => new PgError(SqlState.undefinedTable, `table "${name}" does not exist`),
  undefinedForeignTable: (name: string) => new PgError(SqlState.undefinedObject, `foreign table "${name}" does not exist`),
  notForeignTable: (name: string, hint?: string) =>
    new PgError(SqlState.wrongObjectType, `"${name}" is not a foreign table`, hint ? { hint } : {}),
  notTable: (name: string, hint?: string) => new PgError(SqlState.wrongObjectType, `"${name}" is not a table`, hint ? { hint } : {}),
  duplicateUserMapping: (role: string, server: string) =>
    new PgError(SqlState.duplicateObject, `user mapping for "${role}" already exists for server "${server}"`),
  undefinedUserMapping: (role: string, server: string) =>
    new PgError(SqlState.undefinedObject, `user mapping for "${role}" does not exist for server "${server}"`),
  duplicateOption: (key: string) => new PgError(SqlState.duplicateObject, `option "${key}" provided more than once`),
  undefinedOption: (key: string) => new PgError(SqlState.undefinedObject, `option "${key}" not found`),
  duplicateColumn: (column: string, relation: string) =>
    new PgError(SqlState.duplicateColumn, `column "${column}" of relation "${relation}" already exists`),
  columnSpecifiedTwice: (column: string) => new PgError(SqlState.duplicateColumn, `column "${column}" specified more than once`),
  undefinedColumn: (column: string, relation: string) =>
    new PgError(SqlState.undefinedColumn, `column "${column}" of relation "${relation}" does not exist`),
  undefinedType: (oid: number) => new PgError(SqlState.undefinedObject, `type with OID ${oid} does not exist`),
  pseudoTypeColumn: (column: string, type: string) =>
    new PgError(SqlState.invalidTableDefinition, `column "${column}" has pseudo-type ${type}`),
  nameTooLong: (name: string) =>
    new PgError(SqlState.nameTooLong, `identifier "${name.slice(0, 20)}…" is longer than 63 bytes`),
  emptyName: () => new PgError(SqlState.syntaxError, 'zero-length delimited identifier'),
  invalidParameter: (message: string) => new PgError(SqlState.invalidParameterValue, message),

  partitionKeyColumnMissing: (column: string) =>
    new PgError(SqlState.undefinedColumn, `column "${column}" named in partition key does not exist`),
  listKeyTooWide: () => new PgError(SqlState.invalidObjectDefinition, 'cannot use "list" partition strategy with more than one column'),
  strategyNotSupported: (strategy: string) =>
    new PgError(SqlState.featureNotSupported, `federated tables are partitioned by LIST only, not by ${strategy.toUpperCase()}`, {
      hint: 'Use PARTITION BY LIST (party) with one foreign-table partition per party.',
    }),
  notPartitioned: (name: string) => new PgError(SqlState.invalidObjectDefinition, `"${name}" is not partitioned`),
  attachToForeignTable: (name: string) =>
    new PgError(SqlState.wrongObjectType, `ALTER action ATTACH PARTITION cannot be performed on relation "${name}"`, {
      detail: 'This operation is not supported for foreign tables.',
    }),
  partitionMustBeForeign: (name: string) =>
    new PgError(SqlState.featureNotSupported, `"${name}" cannot be a partition of a federated table: it is not a foreign table`, {
      hint: 'Each partition of a federated table is a foreign table at one party.',
    }),
  alreadyPartition: (name: string) => new PgError(SqlState.wrongObjectType, `"${name}" is already a partition`),
  notPartitionOf: (partition: string, parent: string) =>
    new PgError(SqlState.undefinedTable, `relation "${partition}" is not a partition of relation "${parent}"`),
  overlap: (partition: string, other: string) =>
    new PgError(SqlState.invalidObjectDefinition, `partition "${partition}" would overlap partition "${other}"`),
  emptyBound: () => new PgError(SqlState.invalidObjectDefinition, 'FOR VALUES IN needs at least one value'),
  childTypeMismatch: (child: string, column: string) =>
    new PgError(SqlState.datatypeMismatch, `child table "${child}" has different type for column "${column}"`),
  childMissingColumn: (column: string) => new PgError(SqlState.datatypeMismatch, `child table is missing column "${column}"`),
  childExtraColumn: (child: string, column: string, parent: string) =>
    new PgError(SqlState.datatypeMismatch, `table "${child}" contains column "${column}" not found in parent "${parent}"`, {
      detail: 'The new partition may contain only the columns present in parent.',
    }),
  childMustBeNotNull: (column: string) =>
    new PgError(SqlState.datatypeMismatch, `column "${column}" in child table must be marked NOT NULL`),
  addColumnToPartition: () => new PgError(SqlState.wrongObjectType, 'cannot add column to a partition'),
  inheritedColumn: (verb: 'drop' | 'alter' | 'rename', column: string) =>
    new PgError(SqlState.invalidTableDefinition, `cannot ${verb} inherited column "${column}"`),
  partitionKeyColumn: (verb: 'drop' | 'alter', column: string, relation: string) =>
    new PgError(SqlState.invalidTableDefinition,
      `cannot ${verb} column "${column}" because it is part of the partition key of relation "${relation}"`),
  notNullInParent: (column: string) => new PgError(SqlState.invalidTableDefinition, `column "${column}" is marked NOT NULL in parent table`),

  dependents: (object: string, lines: readonly string[]) =>
    new PgError(SqlState.dependentObjectsStillExist, `cannot drop ${object} because other objects depend on it`, {
      detail: lines.join('\n'),
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    }),
  roleHasDependents: (role: string, lines: readonly string[]) =>
    new PgError(SqlState.dependentObjectsStillExist, `role "${role}" cannot be dropped because some objects depend on it`, {
      detail: lines.join('\n'),
    }),
  bootstrapRole: (role: string) =>
    new PgError(SqlState.dependentObjectsStillExist, `cannot drop role ${role} because it is required by the database system`),
  currentUser: () => new PgError(SqlState.objectInUse, 'current user cannot be dropped'),
  labelProvider: (provider: string) =>
    new PgError(SqlState.invalidParameterValue, `security label provider "${provider}" is not loaded`),
  invalidLabel: (label: string, valid: readonly string[]) =>
    new PgError(SqlState.invalidParameterValue, `invalid security label "${label}" for provider c2d`, {
      hint: `Valid labels are: ${valid.join(', ')}.`,
    }),
} as const;

const notice = (code: SqlState, message: string, detail?: string): PgError =>
  new PgError(code, message, detail === undefined ? { severity: 'NOTICE' } : { severity: 'NOTICE', detail });

export const catalogNotice = {
  /** CREATE … IF NOT EXISTS over an existing object: the error's code and text, skipping. */
  skippedCreate: (error: PgError) => notice(error.code, `${error.message}, skipping`),
  /** DROP … IF EXISTS / ALTER … IF EXISTS over a missing object. */
  skippedMissing: (error: PgError) => notice(SqlState.successfulCompletion, `${error.message}, skipping`),
  cascades: (lines: readonly string[]) =>
    lines.length === 1
      ? notice(SqlState.successfulCompletion, `drop cascades to ${lines[0]}`)
      : notice(SqlState.successfulCompletion, `drop cascades to ${lines.length} other objects`,
          lines.map((line) => `drop cascades to ${line}`).join('\n')),
  emptyPassword: () => notice(SqlState.successfulCompletion, 'empty string is not a valid password, clearing password'),
} as const;
