/**
 * PostgreSQL's transaction-block state as a client sees it: idle (I), in a block (T), in
 * a failed block (E), with savepoints. C2D is read-only, so a block has nothing to undo
 * but session settings and cursors; the rules for what is allowed when are PostgreSQL's.
 */
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { TransactionStatus } from '../server/engine.js';

export type Warn = (message: string, code: string) => void;

export class TransactionBlock {
  private state: TransactionStatus = 'I';
  private savepoints: string[] = [];

  constructor(
    private readonly hooks: {
      /** A level was opened (BEGIN or SAVEPOINT). */
      pushLevel(): void;
      /** `levels` levels are undone (ROLLBACK, ROLLBACK TO). */
      rollbackLevels(levels: number): void;
      /** `levels` levels are kept (COMMIT, RELEASE). */
      commitLevels(levels: number): void;
      /** The block is over (COMMIT or ROLLBACK): drop cursors without HOLD, SET LOCALs. */
      ended(committed: boolean): void;
    },
  ) {}

  get status(): TransactionStatus {
    return this.state;
  }

  get inBlock(): boolean {
    return this.state !== 'I';
  }

  /** Throws 25P02 unless `allowedInFailed`: in a failed block only ROLLBACK/COMMIT run. */
  checkCanRun(allowedInFailed: boolean): void {
    if (this.state === 'E' && !allowedInFailed) {
      throw new PgError(
        SqlState.inFailedSqlTransaction,
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    }
  }

  begin(warn: Warn): void {
    if (this.state !== 'I') {
      warn('there is already a transaction in progress', SqlState.activeSqlTransaction);
      return;
    }
    this.state = 'T';
    this.hooks.pushLevel();
  }

  /** COMMIT; returns the command tag (COMMIT of a failed block is a ROLLBACK). */
  commit(warn: Warn): 'COMMIT' | 'ROLLBACK' {
    if (this.state === 'I') {
      warn('there is no transaction in progress', SqlState.noActiveSqlTransaction);
      return 'COMMIT';
    }
    if (this.state === 'E') {
      this.rollbackAll();
      return 'ROLLBACK';
    }
    this.hooks.commitLevels(this.savepoints.length + 1);
    this.finish(true);
    return 'COMMIT';
  }

  rollback(warn: Warn): void {
    if (this.state === 'I') {
      warn('there is no transaction in progress', SqlState.noActiveSqlTransaction);
      return;
    }
    this.rollbackAll();
  }

  savepoint(name: string): void {
    this.requireBlock('SAVEPOINT');
    this.savepoints.push(name);
    this.hooks.pushLevel();
  }

  release(name: string): void {
    this.requireBlock('RELEASE SAVEPOINT');
    const index = this.find(name);
    const levels = this.savepoints.length - index;
    this.savepoints.length = index;
    this.hooks.commitLevels(levels);
  }

  rollbackTo(name: string): void {
    this.requireBlock('ROLLBACK TO SAVEPOINT');
    const index = this.find(name);
    // The savepoint stays, with its level re-opened empty.
    const levels = this.savepoints.length - index;
    this.savepoints.length = index + 1;
    this.hooks.rollbackLevels(levels);
    this.hooks.pushLevel();
    this.state = 'T';
  }

  /** An error ended a statement: a block becomes failed. */
  failed(): void {
    if (this.state === 'T') this.state = 'E';
  }

  private rollbackAll(): void {
    this.hooks.rollbackLevels(this.savepoints.length + 1);
    this.finish(false);
  }

  private finish(committed: boolean): void {
    this.state = 'I';
    this.savepoints = [];
    this.hooks.ended(committed);
  }

  private requireBlock(what: string): void {
    if (this.state === 'I') {
      throw new PgError(SqlState.noActiveSqlTransaction, `${what} can only be used in transaction blocks`);
    }
  }

  private find(name: string): number {
    const index = this.savepoints.lastIndexOf(name);
    if (index < 0) throw new PgError(SqlState.invalidSavepointSpecification, `savepoint "${name}" does not exist`);
    return index;
  }
}
