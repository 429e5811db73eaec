/**
 * Prints the fault matrix the last reliability runs wrote (one JSON per test file, see
 * faultMatrix in support.ts) as the Markdown table docs/reliability.md shows:
 *
 *   npx vitest run test/reliability && node bin/run-ts.js test/reliability/matrix.ts
 *
 * RELIABILITY_REPORT_DIR selects another directory (the soak writes there too unless told otherwise).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Counts } from './support.ts';

const dir = process.argv[2] ?? process.env.RELIABILITY_REPORT_DIR ?? join(tmpdir(), 'dli-sync-reliability');
const rows: [string, string, Counts][] = [];
for (const name of readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const report = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
    file: string;
    rows: Record<string, Counts>;
  };
  for (const [category, counts] of Object.entries(report.rows)) rows.push([report.file, category, counts]);
}
const total: Counts = { faults: 0, runs: 0, eventsChecked: 0, lost: 0, duplicated: 0 };
const lines = [
  '| file | fault | faults injected | runs | events checked | lost | duplicated |',
  '|---|---|---:|---:|---:|---:|---:|',
];
for (const [file, category, c] of rows) {
  for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += c[k];
  // Lost and duplicated are measured where events are compared with what should exist.
  const measured = (n: number) => (c.eventsChecked > 0 ? String(n) : '–');
  lines.push(
    `| ${file} | ${category} | ${c.faults} | ${c.runs} | ${c.eventsChecked} | ${measured(c.lost)} | ${measured(c.duplicated)} |`,
  );
}
lines.push(
  `| **total** | | **${total.faults}** | **${total.runs}** | **${total.eventsChecked}** | **${total.lost}** | **${total.duplicated}** |`,
);
process.stdout.write(`${lines.join('\n')}\n`);
