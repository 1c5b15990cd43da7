/**
 * Reads the BI-tool corpus: each `.sql` file names its source in its header; each entry
 * starts with a `-- [tool] what it is for` line, may carry a `-- params: a, b` line (the
 * values the tool binds as $1, $2 …), and its SQL runs to the next entry. `@name` in the
 * SQL or a parameter stands for the OID of relation `name`, which the tool looked up first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ToolQuery {
  file: string;
  /** The file's `-- source:` line: repository, path and commit the queries come from. */
  source: string;
  title: string;
  sql: string;
  params: string[];
}

const dir = path.dirname(fileURLToPath(import.meta.url));

export function loadToolCorpus(): ToolQuery[] {
  const entries: ToolQuery[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
    const source = lines.find((l) => l.startsWith('-- source:'))?.slice('-- source:'.length).trim() ?? '';
    let current: { title: string; lines: string[]; params: string[]; source: string } | null = null;
    let fileSource = source;
    const flush = (): void => {
      if (current) entries.push({ file, source: current.source, title: current.title, sql: current.lines.join('\n').trim(), params: current.params });
    };
    for (const line of lines) {
      if (line.startsWith('-- source:') && !current) fileSource = line.slice('-- source:'.length).trim();
      if (line.startsWith('-- source:') && current) {
        flush();
        current = null;
        fileSource = line.slice('-- source:'.length).trim();
      } else if (line.startsWith('-- [')) {
        flush();
        current = { title: line.slice(3), lines: [], params: [], source: fileSource };
      } else if (current && line.startsWith('-- params:')) {
        current.params = line.slice('-- params:'.length).split(',').map((p) => p.trim());
      } else if (current) {
        current.lines.push(line);
      }
    }
    flush();
  }
  return entries;
}
