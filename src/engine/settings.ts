/**
 * Session settings (GUCs): the ones clients set, show or expect at start-up. SET, SHOW
 * and RESET work on this table; settings marked `report` are sent as ParameterStatus at
 * start-up and whenever they change, as PostgreSQL does.
 */
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';

export interface SettingDefinition {
  /** Canonical name, as SHOW ALL prints it (case kept: "DateStyle", "TimeZone"). */
  name: string;
  default: string;
  description: string;
  /** Sent as ParameterStatus at start-up and on change (GUC_REPORT). */
  report?: boolean;
  /** Internal/read-only settings cannot be SET (55P02 in PostgreSQL; 42501 not quite: use 55000). */
  readOnly?: boolean;
  /** Returns the canonical stored value or throws PgError 22023. */
  normalize?: (value: string) => string;
}

export const SERVER_VERSION = '16.4';
export const SERVER_VERSION_NUM = '160004';

function oneOf(name: string, allowed: readonly string[]): (value: string) => string {
  return (value) => {
    const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
    if (found === undefined) {
      throw new PgError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`, {
        hint: `Available values: ${allowed.join(', ')}.`,
      });
    }
    return found;
  };
}

function booleanSetting(name: string): (value: string) => string {
  return (value) => {
    const v = value.trim().toLowerCase();
    if (['on', 'true', 'yes', '1', 't', 'y'].includes(v)) return 'on';
    if (['off', 'false', 'no', '0', 'f', 'n'].includes(v)) return 'off';
    throw new PgError(SqlState.invalidParameterValue, `parameter "${name}" requires a Boolean value`);
  };
}

function integerSetting(name: string, min: number, max: number): (value: string) => string {
  return (value) => {
    const n = Number(value.trim());
    if (!Number.isInteger(n)) {
      throw new PgError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`);
    }
    if (n < min || n > max) {
      throw new PgError(
        SqlState.invalidParameterValue,
        `${n} is outside the valid range for parameter "${name}" (${min} .. ${max})`,
      );
    }
    return String(n);
  };
}

/** statement_timeout and friends: integer milliseconds, or with a unit ('5s', '1min'). */
function durationSetting(name: string): (value: string) => string {
  const units: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
  return (value) => {
    const m = /^\s*(\d+)\s*(ms|s|min|h|d)?\s*$/.exec(value);
    if (!m) throw new PgError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`);
    const ms = Number(m[1]) * (units[m[2] ?? 'ms'] ?? 1);
    if (ms > 2147483647) {
      throw new PgError(SqlState.invalidParameterValue, `${ms} ms is outside the valid range for parameter "${name}"`);
    }
    return String(ms);
  };
}

function timeZoneSetting(value: string): string {
  const v = value.trim();
  if (/^(utc|gmt|z|zulu)$/i.test(v)) return 'UTC';
  if (/^[+-]?\d{1,2}(:\d{2})?$/.test(v)) return v;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return v;
  } catch {
    throw new PgError(SqlState.invalidParameterValue, `invalid value for parameter "TimeZone": "${value}"`);
  }
}

function dateStyleSetting(value: string): string {
  const parts = value.split(',').map((p) => p.trim().toUpperCase()).filter(Boolean);
  let style = 'ISO';
  let order = 'MDY';
  for (const p of parts) {
    if (p === 'ISO') style = 'ISO';
    else if (['MDY', 'DMY', 'YMD', 'US', 'EURO', 'EUROPEAN', 'NONEURO', 'NONEUROPEAN', 'DEFAULT'].includes(p)) {
      order = p === 'US' || p === 'NONEURO' || p === 'NONEUROPEAN' || p === 'DEFAULT' ? 'MDY' : p.startsWith('EURO') ? 'DMY' : p;
    } else if (['SQL', 'POSTGRES', 'GERMAN'].includes(p)) {
      throw new PgError(SqlState.featureNotSupported, `DateStyle "${p}" is not supported by C2D`, {
        hint: 'C2D prints dates in ISO style only; use SET DateStyle = ISO.',
      });
    } else {
      throw new PgError(SqlState.invalidParameterValue, `invalid value for parameter "DateStyle": "${value}"`);
    }
  }
  return `${style}, ${order}`;
}

function clientEncodingSetting(value: string): string {
  const v = value.trim().toUpperCase().replace(/[-_]/g, '');
  if (v === 'UTF8' || v === 'UNICODE') return 'UTF8';
  throw new PgError(SqlState.featureNotSupported, `client encoding "${value}" is not supported`, {
    hint: 'C2D speaks UTF8 only.',
  });
}

const definitions: readonly SettingDefinition[] = [
  { name: 'server_version', default: SERVER_VERSION, description: 'Shows the server version.', report: true, readOnly: true },
  { name: 'server_version_num', default: SERVER_VERSION_NUM, description: 'Shows the server version as an integer.', readOnly: true },
  { name: 'server_encoding', default: 'UTF8', description: 'Shows the server (database) character set encoding.', report: true, readOnly: true },
  { name: 'client_encoding', default: 'UTF8', description: "Sets the client's character set encoding.", report: true, normalize: clientEncodingSetting },
  { name: 'DateStyle', default: 'ISO, MDY', description: 'Sets the display format for date and time values.', report: true, normalize: dateStyleSetting },
  { name: 'IntervalStyle', default: 'postgres', description: 'Sets the display format for interval values.', report: true, normalize: oneOf('IntervalStyle', ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601']) },
  { name: 'TimeZone', default: 'UTC', description: 'Sets the time zone for displaying and interpreting time stamps.', report: true, normalize: timeZoneSetting },
  { name: 'integer_datetimes', default: 'on', description: 'Shows whether datetimes are integer based.', report: true, readOnly: true },
  { name: 'standard_conforming_strings', default: 'on', description: "Causes '...' strings to treat backslashes literally.", report: true, normalize: (v) => { if (booleanSetting('standard_conforming_strings')(v) !== 'on') throw new PgError(SqlState.featureNotSupported, 'standard_conforming_strings cannot be turned off in C2D'); return 'on'; } },
  { name: 'application_name', default: '', description: 'Sets the application name to be reported in statistics and logs.', report: true, normalize: (v) => v.slice(0, 63) },
  { name: 'is_superuser', default: 'off', description: 'Shows whether the current user is a superuser.', report: true, readOnly: true },
  { name: 'session_authorization', default: '', description: 'Sets the session user name.', report: true, readOnly: true },
  { name: 'scram_iterations', default: '4096', description: 'Sets the iteration count for SCRAM secret generation.', report: true, readOnly: true },
  { name: 'search_path', default: '"$user", public', description: 'Sets the schema search order for names that are not schema-qualified.' },
  { name: 'extra_float_digits', default: '1', description: 'Sets the number of digits displayed for floating-point values.', normalize: integerSetting('extra_float_digits', -15, 3) },
  { name: 'bytea_output', default: 'hex', description: 'Sets the output format for bytea.', normalize: oneOf('bytea_output', ['hex', 'escape']) },
  { name: 'statement_timeout', default: '0', description: 'Sets the maximum allowed duration of any statement (ms).', normalize: durationSetting('statement_timeout') },
  { name: 'lock_timeout', default: '0', description: 'Sets the maximum allowed duration of any wait for a lock (ms).', normalize: durationSetting('lock_timeout') },
  { name: 'idle_in_transaction_session_timeout', default: '0', description: 'Sets the maximum allowed idle time between queries, when in a transaction (ms).', normalize: durationSetting('idle_in_transaction_session_timeout') },
  { name: 'client_min_messages', default: 'notice', description: 'Sets the message levels that are sent to the client.', normalize: oneOf('client_min_messages', ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error']) },
  { name: 'default_transaction_isolation', default: 'read committed', description: 'Sets the transaction isolation level of each new transaction.', normalize: oneOf('default_transaction_isolation', ['serializable', 'repeatable read', 'read committed', 'read uncommitted']) },
  { name: 'transaction_isolation', default: 'read committed', description: "Sets the current transaction's isolation level.", normalize: oneOf('transaction_isolation', ['serializable', 'repeatable read', 'read committed', 'read uncommitted']) },
  { name: 'default_transaction_read_only', default: 'on', description: 'Sets the default read-only status of new transactions.', normalize: booleanSetting('default_transaction_read_only') },
  { name: 'transaction_read_only', default: 'on', description: "Sets the current transaction's read-only status.", normalize: booleanSetting('transaction_read_only') },
  { name: 'max_identifier_length', default: '63', description: 'Shows the maximum identifier length.', readOnly: true },
  { name: 'max_index_keys', default: '32', description: 'Shows the maximum number of index keys.', readOnly: true },
  { name: 'block_size', default: '8192', description: 'Shows the size of a disk block.', readOnly: true },
  { name: 'lc_collate', default: 'C', description: 'Shows the collation order locale.', readOnly: true },
  { name: 'lc_ctype', default: 'C', description: 'Shows the character classification and case conversion locale.', readOnly: true },
  { name: 'lc_messages', default: 'C', description: 'Sets the language in which messages are displayed.' },
  { name: 'lc_monetary', default: 'C', description: 'Sets the locale for formatting monetary amounts.' },
  { name: 'lc_numeric', default: 'C', description: 'Sets the locale for formatting numbers.' },
  { name: 'lc_time', default: 'C', description: 'Sets the locale for formatting date and time values.' },
  { name: 'work_mem', default: '4MB', description: 'Sets the maximum memory to be used for query workspaces.' },
  { name: 'max_connections', default: '1000', description: 'Sets the maximum number of concurrent connections.', readOnly: true },
  { name: 'ssl', default: 'on', description: 'Enables SSL connections.', readOnly: true },
  { name: 'row_security', default: 'on', description: 'Enable row security.', normalize: booleanSetting('row_security') },
  { name: 'synchronous_commit', default: 'on', description: 'Sets the current transaction\'s synchronization level.' },
  { name: 'jit', default: 'off', description: 'Allow JIT compilation.', normalize: booleanSetting('jit') },
  { name: 'geqo', default: 'on', description: 'Enables genetic query optimization.', normalize: booleanSetting('geqo') },
  { name: 'default_text_search_config', default: 'pg_catalog.simple', description: 'Sets default text search configuration.' },
  { name: 'timezone_abbreviations', default: 'Default', description: 'Selects a file of time zone abbreviations.' },
  { name: 'xmloption', default: 'content', description: 'Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments.' },
];

const byLowerName = new Map(definitions.map((d) => [d.name.toLowerCase(), d] as const));

/** Aliases PostgreSQL accepts in SET/SHOW. */
const aliases: Readonly<Record<string, string>> = { 'time zone': 'timezone', names: 'client_encoding' };

export function findSetting(name: string): SettingDefinition | undefined {
  const lower = name.toLowerCase();
  return byLowerName.get(aliases[lower] ?? lower);
}

export function allSettings(): readonly SettingDefinition[] {
  return definitions;
}

/** A custom (extension) setting name: "prefix.name", which PostgreSQL accepts as a placeholder. */
export function isCustomSettingName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$.]*$/.test(name);
}

export function unknownSetting(name: string): PgError {
  return new PgError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
}
