/**
 * What DDL asks of the parties: the tables a party exports, with PostgreSQL types. IMPORT
 * FOREIGN SCHEMA copies them into the catalog; CREATE FOREIGN TABLE is checked against
 * them, so a table that names a missing table, column or a different type is refused
 * before anything is written.
 */
import type { CatalogSnapshot } from '../../catalog/catalog-snapshot.js';
import { optionValue } from '../../catalog/option-list.js';
import type { ColumnSpec, QualifiedName } from '../../catalog/catalog-requests.js';
import { PgError } from '../../server/pg-error.js';
import { SqlState } from '../../server/sqlstate.js';
import { formatType, textTypeOids } from '../types/index.js';

export interface ExportedTableShape {
  name: string;
  columns: ReadonlyArray<{ name: string; typeOid: number; typmod: number; nullable: boolean }>;
}

export interface PartyTables {
  /** The tables the party behind `server` exports (one, when `table` is given). */
  describe(server: string, table?: string): Promise<ExportedTableShape[]>;
}


/**
 * Checks a foreign table's columns against what its party exports. For a partition, the
 * partition key column is the gateway's (FOR VALUES IN) and is not looked for at the party.
 */
export async function checkAgainstParty(
  parties: PartyTables,
  request: { table: QualifiedName; server: string; options: readonly (readonly [string, string])[]; columns?: readonly ColumnSpec[]; partitionOf?: { parent: QualifiedName } },
  snapshot: CatalogSnapshot,
): Promise<void> {
  let columns: readonly ColumnSpec[] = request.columns ?? [];
  if (request.partitionOf) {
    const parent = snapshot.relation(request.partitionOf.parent);
    if (!parent) return; // the catalog reports the missing parent with PostgreSQL's message
    const key = parent.columns.find((c) => c.attnum === parent.partitionKey?.attnum)?.name;
    columns = parent.columns.filter((c) => c.name !== key);
  }
  if (!snapshot.server(request.server)) return; // the catalog reports the unknown server
  const exported = optionValue(request.options, 'table') ?? request.table.name;
  let shape: ExportedTableShape | undefined;
  try {
    [shape] = await parties.describe(request.server, exported);
  } catch (error) {
    if (error instanceof PgError && error.code === SqlState.undefinedTable) {
      throw new PgError(SqlState.fdwTableNotFound, `server "${request.server}" does not export a table "${exported}"`, {
        hint: `IMPORT FOREIGN SCHEMA public FROM SERVER ${request.server} INTO <schema> lists what it exports.`,
      });
    }
    throw error;
  }
  if (!shape) throw new PgError(SqlState.fdwTableNotFound, `server "${request.server}" does not export a table "${exported}"`);
  for (const column of columns) {
    const remote = shape.columns.find((c) => c.name === column.name);
    if (!remote) {
      throw new PgError(SqlState.undefinedColumn, `column "${column.name}" of foreign table "${request.table.name}" does not exist in table "${exported}" at server "${request.server}"`);
    }
    const same = remote.typeOid === column.typeOid || (textTypeOids.has(remote.typeOid) && textTypeOids.has(column.typeOid));
    if (!same) {
      throw new PgError(
        SqlState.datatypeMismatch,
        `column "${column.name}" of foreign table "${request.table.name}" is declared ${formatType(column.typeOid, column.typmod ?? -1)} but is ${formatType(remote.typeOid, remote.typmod)} at server "${request.server}"`,
        { hint: `Declare it as ${formatType(remote.typeOid, remote.typmod)}.` },
      );
    }
  }
}

/** IMPORT FOREIGN SCHEMA's table list, after LIMIT TO / EXCEPT. */
export function importedTables(tables: readonly ExportedTableShape[], listType: string, names: readonly string[]): ExportedTableShape[] {
  const listed = new Set(names);
  if (listType === 'FDW_IMPORT_SCHEMA_LIMIT_TO') return tables.filter((t) => listed.has(t.name));
  if (listType === 'FDW_IMPORT_SCHEMA_EXCEPT') return tables.filter((t) => !listed.has(t.name));
  return [...tables];
}
