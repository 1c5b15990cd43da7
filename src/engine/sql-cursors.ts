/**
 * SQL-level cursors: DECLARE … CURSOR [WITH HOLD], FETCH, MOVE, CLOSE. A forward cursor
 * streams from its RowSource; a SCROLL cursor keeps the rows it has read so it can move
 * backwards.
 */
import { PgError } from '../server/pg-error.js';
import { SqlState } from '../server/sqlstate.js';
import type { FieldDescription } from '../server/engine.js';
import type { RowSource } from './query-runner.js';

/** libpg-query reports FETCH ALL as INT_MAX. */
const FETCH_ALL = 2147483647;

export type FetchDirection = 'FETCH_FORWARD' | 'FETCH_BACKWARD' | 'FETCH_ABSOLUTE' | 'FETCH_RELATIVE';

export class SqlCursor {
  /** Rows read from the source so far (kept only for SCROLL cursors). */
  private readonly seen: unknown[][] = [];
  private readCount = 0;
  private exhausted = false;
  /** 0 = before the first row; readCount+1 = after the last (PostgreSQL's portal position). */
  private position = 0;

  constructor(
    readonly name: string,
    readonly fields: readonly FieldDescription[],
    readonly hold: boolean,
    readonly scroll: boolean,
    private readonly source: RowSource,
  ) {}

  /** FETCH/MOVE: the rows that come back (MOVE discards them but counts). */
  async fetch(direction: FetchDirection, howMany: number, signal: AbortSignal): Promise<unknown[][]> {
    const all = Math.abs(howMany) >= FETCH_ALL;
    switch (direction) {
      case 'FETCH_FORWARD':
        if (howMany < 0) return this.backward(all ? Infinity : -howMany);
        return this.forward(all ? Infinity : howMany, signal);
      case 'FETCH_BACKWARD':
        if (howMany < 0) return this.forward(all ? Infinity : -howMany, signal);
        return this.backward(all ? Infinity : howMany);
      case 'FETCH_ABSOLUTE':
        return this.absolute(howMany, signal);
      case 'FETCH_RELATIVE':
        return this.relative(howMany, signal);
    }
  }

  async close(): Promise<void> {
    await this.source.close();
  }

  private async forward(count: number, signal: AbortSignal): Promise<unknown[][]> {
    if (count === 0) return this.current();
    const out: unknown[][] = [];
    while (out.length < count) {
      if (this.position < this.readCount) {
        // Re-reading rows a SCROLL cursor already holds.
        const row = this.seen[this.position];
        this.position++;
        if (row) out.push(row);
        continue;
      }
      const want = count === Infinity ? 0 : count - out.length;
      const fresh = await this.read(want, signal);
      if (fresh.length === 0) {
        this.position = this.readCount + 1;
        break;
      }
      out.push(...fresh);
      this.position = this.readCount;
    }
    return out;
  }

  private backward(count: number): unknown[][] {
    this.requireScroll();
    if (count === 0) return this.current();
    const out: unknown[][] = [];
    while (out.length < count && this.position > 1) {
      this.position--;
      out.push(this.seen[this.position - 1]!);
    }
    if (out.length < count) this.position = 0;
    return out;
  }

  private async absolute(n: number, signal: AbortSignal): Promise<unknown[][]> {
    if (n >= 0 && n >= this.position && !this.scroll) {
      // Forward jumps work on any cursor.
      await this.forward(Math.max(0, n - this.position - 1), signal);
      return n === 0 ? [] : this.forward(1, signal);
    }
    this.requireScroll();
    if (n < 0) {
      await this.readAll(signal);
      const target = this.readCount + 1 + n;
      this.position = Math.max(target, 0);
      return target >= 1 ? [this.seen[target - 1]!] : [];
    }
    this.position = 0;
    if (n === 0) return [];
    await this.forward(n - 1, signal);
    return this.forward(1, signal);
  }

  private async relative(n: number, signal: AbortSignal): Promise<unknown[][]> {
    if (n === 0) return this.current();
    if (n > 0) {
      await this.forward(n - 1, signal);
      return this.forward(1, signal);
    }
    this.backward(-n - 1);
    return this.backward(1);
  }

  private current(): unknown[][] {
    if (this.position >= 1 && this.position <= this.readCount) {
      this.requireScroll();
      return [this.seen[this.position - 1]!];
    }
    return [];
  }

  private async read(count: number, signal: AbortSignal): Promise<unknown[][]> {
    if (this.exhausted) return [];
    const { rows, done } = await this.source.fetch(count, signal);
    if (done) this.exhausted = true;
    this.readCount += rows.length;
    if (this.scroll) this.seen.push(...rows);
    return rows;
  }

  private async readAll(signal: AbortSignal): Promise<void> {
    const position = this.position;
    while (!this.exhausted) await this.read(0, signal);
    this.position = position;
  }

  private requireScroll(): void {
    if (!this.scroll) {
      throw new PgError(SqlState.objectNotInPrerequisiteState, 'cursor can only scan forward', {
        hint: 'Declare it with SCROLL option to enable backward scan.',
      });
    }
  }
}

/** The open cursors of one session. */
export class CursorRegistry {
  private readonly cursors = new Map<string, SqlCursor>();

  add(cursor: SqlCursor): void {
    if (this.cursors.has(cursor.name)) {
      throw new PgError(SqlState.duplicateCursor, `cursor "${cursor.name}" already exists`);
    }
    this.cursors.set(cursor.name, cursor);
  }

  get(name: string): SqlCursor {
    const cursor = this.cursors.get(name);
    if (!cursor) throw new PgError(SqlState.invalidCursorName, `cursor "${name}" does not exist`);
    return cursor;
  }

  async close(name: string): Promise<void> {
    const cursor = this.get(name);
    this.cursors.delete(name);
    await cursor.close();
  }

  async closeAll(filter: (c: SqlCursor) => boolean = () => true): Promise<void> {
    for (const [name, cursor] of [...this.cursors]) {
      if (filter(cursor)) {
        this.cursors.delete(name);
        await cursor.close();
      }
    }
  }
}
