/**
 * `npm run bench:cold-import`: what importing a function's bundle adds to a fresh Node process,
 * the part of a Lambda cold start this project controls. Each round starts `node -e 0` and a
 * `node` that imports dist/<fn>/index.mjs, alternately, so drift on the machine hits both alike;
 * the figure is median(import) − median(bare) over 20 rounds, after one warm-up round of each
 * (the file cache, not V8's, is what the warm-up fills: every round is a new process).
 *
 * Budget: the sync bundle ≤ 100 ms above bare (exit 1 over it); the others are reported.
 * `npm run` puts the `node` devDependency (22.x, the Lambda runtime's major) first on PATH, so
 * that is the Node measured here unless --node=PATH says otherwise. Builds first unless --no-build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildAll, FUNCTIONS } from '../scripts/build.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = 20;
const BUDGET_MS = 100;

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const nodeBin = arg('node') ?? process.execPath;

function timeRun(args: string[]): number {
  const started = process.hrtime.bigint();
  const out = spawnSync(nodeBin, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (out.status !== 0)
    throw new Error(`${args.join(' ')} exited ${out.status}: ${out.stderr.toString().slice(0, 500)}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

export interface ColdImport {
  fn: string;
  bareMedianMs: number;
  importMedianMs: number;
  aboveBareMs: number;
  rounds: number;
}

/** `flags`: extra node options for both runs, e.g. --enable-source-maps as serverless.yml can set. */
export function measure(fn: string, rounds = ROUNDS, flags: string[] = []): ColdImport {
  const url = pathToFileURL(join(ROOT, 'dist', fn, 'index.mjs')).href;
  const bare = [...flags, '-e', '0'];
  const load = [...flags, '--input-type=module', '-e', `await import(${JSON.stringify(url)})`];
  timeRun(bare);
  timeRun(load);
  const bareMs: number[] = [];
  const importMs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    bareMs.push(timeRun(bare));
    importMs.push(timeRun(load));
  }
  const b = median(bareMs);
  const m = median(importMs);
  return { fn, bareMedianMs: round(b), importMedianMs: round(m), aboveBareMs: round(m - b), rounds };
}

const round = (n: number): number => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) await buildAll();
  const version = spawnSync(nodeBin, ['--version']).stdout.toString().trim();
  // Other work on the machine inflates imports more than bare starts: the load says how quiet it was.
  const load = () => loadavg()[0]?.toFixed(2) ?? '?';
  console.log(`cold import on node ${version}, median of ${ROUNDS} fresh processes each (load ${load()})`);
  const results: ColdImport[] = [];
  for (const { name } of FUNCTIONS) {
    if (!existsSync(join(ROOT, 'dist', name, 'index.mjs'))) {
      console.warn(`warning: dist/${name}/index.mjs missing; not measured`);
      continue;
    }
    const r = measure(name);
    results.push(r);
    const budget =
      name === 'sync' ? ` (budget ${BUDGET_MS} ms: ${r.aboveBareMs <= BUDGET_MS ? 'ok' : 'OVER'})` : '';
    console.log(
      `${name.padEnd(11)} import ${r.importMedianMs.toFixed(1)} ms, bare ${r.bareMedianMs.toFixed(1)} ms, ` +
        `+${r.aboveBareMs.toFixed(1)} ms${budget}`,
    );
  }
  // Not the deployed default (serverless.yml `nodeOptions`), but what turning it on costs.
  if (results.some((r) => r.fn === 'sync')) {
    const sm = measure('sync', ROUNDS, ['--enable-source-maps']);
    console.log(`sync with --enable-source-maps: +${sm.aboveBareMs.toFixed(1)} ms (for information)`);
  }
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/cold-import.json'),
    JSON.stringify(
      { node: version, measuredAt: new Date().toISOString(), loadAfter: load(), results },
      null,
      2,
    ),
  );
  const sync = results.find((r) => r.fn === 'sync');
  if (!sync || sync.aboveBareMs > BUDGET_MS) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
