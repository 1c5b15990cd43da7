// Measures node-sql-parser (postgresql dialect) and libpg-query on every corpus entry:
// how many parse, and the time per entry. Run: node test/corpus/measure-parsers.mjs
// The numbers go into docs/parser-decision.md.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModule, parseSync } from 'libpg-query';
import nodeSqlParser from 'node-sql-parser';

const dir = path.dirname(fileURLToPath(import.meta.url));
const entries = [];
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
  let current = null;
  for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
    if (line.startsWith('-- [')) {
      current = { file, title: line.slice(3), lines: [] };
      entries.push(current);
    } else if (current) current.lines.push(line);
  }
}
for (const e of entries) e.sql = e.lines.join('\n').trim();

const rounds = 20;
function measure(name, parse) {
  let ok = 0;
  const failures = [];
  for (const e of entries) {
    try {
      parse(e.sql);
      ok++;
    } catch (error) {
      failures.push(`${e.file}: ${e.title}: ${String(error.message).split('\n')[0].slice(0, 100)}`);
    }
  }
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const e of entries) {
      try {
        parse(e.sql);
      } catch {
        // failures were counted above; timing includes them
      }
    }
  }
  const micros = Number(process.hrtime.bigint() - started) / 1000 / rounds / entries.length;
  return { name, ok, total: entries.length, microsPerEntry: Math.round(micros), failures };
}

await loadModule();
const parser = new nodeSqlParser.Parser();
const results = [
  measure('libpg-query 18 (WASM)', (sql) => parseSync(sql)),
  measure('node-sql-parser 5 (postgresql)', (sql) => parser.astify(sql, { database: 'postgresql' })),
];
for (const r of results) {
  console.log(`${r.name}: ${r.ok}/${r.total} parse, ${r.microsPerEntry} µs per entry`);
  for (const f of r.failures) console.log(`  fails: ${f}`);
}
