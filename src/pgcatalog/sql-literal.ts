/** SQL literals for the rows the emulation inserts: strings, numbers, booleans, lists. */
export type SqlValue = string | number | boolean | null | readonly SqlValue[];

export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(sqlLiteral).join(', ')}]`;
  return `'${String(value).replaceAll("'", "''")}'`;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
