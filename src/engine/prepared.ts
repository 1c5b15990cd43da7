/** Small builders for the PreparedStatement shapes the session hands to the server. */
import type { CommandExecution, Execution, FieldDescription, PreparedStatement } from '../server/engine.js';
import { TypeOid, typeSize } from '../sql/types/index.js';

/** A statement whose whole effect happens at execution and which returns only a tag. */
export function commandStatement(run: (signal: AbortSignal) => Promise<string> | string): PreparedStatement {
  return {
    paramTypes: [],
    fields: null,
    async execute(_params, { signal }): Promise<CommandExecution> {
      return { kind: 'command', commandTag: await run(signal) };
    },
    close() {},
  };
}

/** A statement returning rows computed in full at execution (SHOW, FETCH, EXPLAIN). */
export function computedRowsStatement(
  fields: readonly FieldDescription[],
  compute: (signal: AbortSignal) => Promise<unknown[][]> | unknown[][],
  commandTag: (rowCount: number) => string,
): PreparedStatement {
  return {
    paramTypes: [],
    fields,
    async execute(_params, { signal }): Promise<Execution> {
      let rows: unknown[][] | null = await compute(signal);
      return {
        kind: 'rows',
        fields,
        async fetch(maxRows) {
          const all = rows ?? [];
          const take = maxRows > 0 ? all.slice(0, maxRows) : all;
          rows = maxRows > 0 ? all.slice(take.length) : [];
          return { rows: take, done: rows.length === 0 };
        },
        commandTag,
        async close() {
          rows = null;
        },
      };
    },
    close() {},
  };
}

/** A text column of a computed result. */
export function textField(name: string): FieldDescription {
  return { name, tableOid: 0, columnAttr: 0, typeOid: TypeOid.text, typeSize: typeSize(TypeOid.text), typeModifier: -1 };
}
