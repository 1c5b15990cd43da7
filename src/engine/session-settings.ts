/**
 * One session's setting values, with PostgreSQL's transactional behaviour: a SET inside a
 * transaction block is undone by ROLLBACK, and SET LOCAL lasts until the block ends.
 */
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import { allSettings, findSetting, isCustomSettingName, unknownSetting } from './settings.js';

export class SessionSettings {
  private values = new Map<string, string>();
  /** Values to restore at ROLLBACK (whole block) — a stack, one entry per savepoint level. */
  private snapshots: Map<string, string>[] = [];
  /** Values to restore when the block ends, for SET LOCAL. */
  private localRestore: Map<string, string> | null = null;

  constructor(
    initial: Readonly<Record<string, string>>,
    private readonly onReportedChange: (name: string, value: string) => void,
  ) {
    for (const d of allSettings()) this.values.set(d.name.toLowerCase(), d.default);
    for (const [name, value] of Object.entries(initial)) {
      const d = findSetting(name);
      if (d) this.values.set(d.name.toLowerCase(), d.normalize ? d.normalize(value) : value);
    }
  }

  get(name: string): string {
    const d = findSetting(name);
    const key = d ? d.name.toLowerCase() : name.toLowerCase();
    const value = this.values.get(key);
    if (value === undefined) throw unknownSetting(name);
    return value;
  }

  /** The canonical name, for SHOW's column header. */
  canonicalName(name: string): string {
    return findSetting(name)?.name ?? name.toLowerCase();
  }

  set(name: string, value: string | null, options: { local: boolean; inTransaction: boolean }): void {
    const d = findSetting(name);
    if (!d && !isCustomSettingName(name)) throw unknownSetting(name);
    if (d?.readOnly) {
      throw new PgError(SqlState.objectNotInPrerequisiteState, `parameter "${d.name}" cannot be changed`);
    }
    const key = d ? d.name.toLowerCase() : name.toLowerCase();
    const next = value === null ? (d?.default ?? '') : d?.normalize ? d.normalize(value) : value;
    const previous = this.values.get(key);
    if (options.local) {
      // SET LOCAL outside a block only warns in PostgreSQL and has no effect.
      if (!options.inTransaction) return;
      this.localRestore ??= new Map();
      if (!this.localRestore.has(key) && previous !== undefined) this.localRestore.set(key, previous);
    }
    const top = this.snapshots[this.snapshots.length - 1];
    if (options.inTransaction && top && !top.has(key)) top.set(key, previous ?? '');
    this.assign(key, next);
  }

  resetAll(options: { inTransaction: boolean }): void {
    for (const d of allSettings()) {
      if (!d.readOnly) this.set(d.name, null, { local: false, inTransaction: options.inTransaction });
    }
  }

  /** All settings for SHOW ALL: name, value, description. */
  entries(): Array<[string, string, string]> {
    return allSettings().map((d) => [d.name, this.values.get(d.name.toLowerCase()) ?? d.default, d.description]);
  }

  /** BEGIN and SAVEPOINT: remember values as they are now. */
  pushLevel(): void {
    this.snapshots.push(new Map());
  }

  /** ROLLBACK [TO SAVEPOINT]: undo SETs made since `levels` pushes ago (keeping the savepoint's own level when `keep`). */
  rollbackLevels(levels: number): void {
    for (let i = 0; i < levels; i++) {
      const snap = this.snapshots.pop();
      if (!snap) break;
      for (const [key, value] of snap) this.assign(key, value);
    }
  }

  /** COMMIT / RELEASE: merge the undo records into the enclosing level. */
  commitLevels(levels: number): void {
    for (let i = 0; i < levels; i++) {
      const snap = this.snapshots.pop();
      const outer = this.snapshots[this.snapshots.length - 1];
      if (snap && outer) for (const [k, v] of snap) if (!outer.has(k)) outer.set(k, v);
    }
  }

  /** The transaction block ended: SET LOCAL values go back. */
  endTransaction(): void {
    this.snapshots = [];
    if (this.localRestore) for (const [key, value] of this.localRestore) this.assign(key, value);
    this.localRestore = null;
  }

  private assign(key: string, value: string): void {
    const old = this.values.get(key);
    this.values.set(key, value);
    const d = findSetting(key);
    if (d?.report && old !== value) this.onReportedChange(d.name, value);
  }
}
