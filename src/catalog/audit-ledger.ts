/**
 * The audit ledger: one entry per audited statement (who, when, what, which parties,
 * how many rows, what was revealed). Append-only: there is no update or delete here,
 * and the database's triggers refuse them from anywhere else.
 */
import type { Knex } from 'knex';
import type { LedgerEntry } from './catalog-entries.js';
import { catalogError } from './catalog-errors.js';
import type { LedgerAppend, LedgerQuery } from './catalog-requests.js';
import { checkName, checkText } from './object-names.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

type Row = Record<string, unknown>;

function toEntry(row: Row): LedgerEntry {
  return {
    id: Number(row.id),
    at: new Date(Number(row.at_ms)),
    user: String(row.user_name),
    statement: String(row.statement),
    parties: JSON.parse(String(row.parties)) as string[],
    resultRows: row.result_rows === null ? null : Number(row.result_rows),
    revealed: JSON.parse(String(row.revealed)) as unknown,
  };
}

function encodeRevealed(revealed: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(revealed);
  } catch (error) {
    throw catalogError.invalidParameter(`the ledger's revealed value is not JSON: ${(error as Error).message}`);
  }
  return checkText(text ?? 'null');
}

export async function appendLedger(knex: Knex, entry: LedgerAppend): Promise<LedgerEntry> {
  const resultRows = entry.resultRows;
  if (resultRows !== null && (!Number.isSafeInteger(resultRows) || resultRows < 0)) {
    throw catalogError.invalidParameter(`invalid result row count ${String(resultRows)}`);
  }
  const at = entry.at ?? new Date();
  if (Number.isNaN(at.getTime())) throw catalogError.invalidParameter('invalid ledger time');
  const parties = [...new Set(entry.parties.map(checkName))];
  const row = {
    at_ms: at.getTime(),
    user_name: checkText(entry.user),
    statement: checkText(entry.statement),
    parties: JSON.stringify(parties),
    result_rows: resultRows,
    revealed: encodeRevealed(entry.revealed),
  };
  return knex.transaction(async (trx) => {
    const [inserted] = (await trx('c2d_audit_ledger').insert(row).returning('id')) as (Row | number)[];
    const id = typeof inserted === 'object' ? Number(inserted!.id) : Number(inserted);
    for (const party of parties) await trx('c2d_audit_ledger_parties').insert({ entry_id: id, party });
    return toEntry({ ...row, id });
  });
}

export async function queryLedger(knex: Knex, query: LedgerQuery = {}): Promise<LedgerEntry[]> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw catalogError.invalidParameter(`ledger query limit must be between 1 and ${MAX_LIMIT}`);
  }
  const order = query.order ?? 'asc';
  let q = knex('c2d_audit_ledger').select('*');
  if (query.user !== undefined) q = q.where('user_name', query.user);
  if (query.party !== undefined) {
    const party = query.party;
    q = q.whereIn('id', knex('c2d_audit_ledger_parties').select('entry_id').where('party', party));
  }
  if (query.since !== undefined) q = q.where('at_ms', '>=', query.since.getTime());
  if (query.until !== undefined) q = q.where('at_ms', '<', query.until.getTime());
  if (query.afterId !== undefined) q = q.where('id', order === 'asc' ? '>' : '<', query.afterId);
  const rows = (await q.orderBy('id', order).limit(limit)) as Row[];
  return rows.map(toEntry);
}
