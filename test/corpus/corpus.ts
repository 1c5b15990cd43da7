/**
 * Reads the client query corpus: each entry starts with a `-- [client] what it is for`
 * line; its SQL is everything up to the next such line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CorpusEntry {
  file: string;
  title: string;
  sql: string;
}

const dir = path.dirname(fileURLToPath(import.meta.url));

export function loadCorpus(): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    let current: { title: string; lines: string[] } | null = null;
    const flush = (): void => {
      if (current) entries.push({ file, title: current.title, sql: current.lines.join('\n').trim() });
    };
    for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      if (line.startsWith('-- [')) {
        flush();
        current = { title: line.slice(3), lines: [] };
      } else if (current) {
        current.lines.push(line);
      }
    }
    flush();
  }
  return entries;
}
