/**
 * `npm run bench [-- --quick]`: cost and speed of a sync, side by side with a naive baseline and the
 * physical floor. Starts the DLI emulator (50 ms per page) and DynamoDB Local, then for each N runs
 * our sync (first, unchanged, 1% of peerings changed) and the naive baseline, each in a fresh process
 * (so peak RSS is its own), and reports ratios measured in this one run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { startDliEmulator } from '../infra/local/dli-emulator.ts';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { makeConnections } from '../infra/local/emulator-data.ts';
import { runNode } from '../infra/local/process.ts';
import { createStore } from '../lib/store/client.ts';
import { setupTable } from '../lib/store/setup.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const sizesArg = process.argv.find((a) => a.startsWith('--sizes='));
// --sizes=10000,50000 measures only those (for investigation; RESULTS.md is written by the full run only).
const SIZES = sizesArg ? sizesArg.slice(8).split(',').map(Number) : quick ? [1_000] : [1_000, 10_000, 50_000];
const NAIVE_MAX = 10_000;
// Each sync runs under the V8 heap limits Lambda's Node.js bootstrap derives from a function's memory
// size (new space a tenth of it, half of that per semi-space, old space the rest): the smallest size the
// RSS target names, 128 MB up to N = 10,000 and 256 MB above, so "peak RSS" answers "does it fit?".
// --lambda-memory=MB sets one size for all; --lambda-memory=0 leaves V8's defaults for this machine.
const lambdaArg = process.argv.find((a) => a.startsWith('--lambda-memory='));
const lambdaMemoryFor = (n: number): number =>
  lambdaArg ? Number(lambdaArg.slice(16)) : n > 10_000 ? 256 : 128;
// --ours-only skips the baseline (for investigation).
const oursOnly = process.argv.includes('--ours-only');
const PAGE_LATENCY_MS = 50;
const PAGE_SIZE = 100;
const CONCURRENCY = 4;
const AK = 'BENCHACCESSKEY000001';
const SK = 'bench-secret-key-000000000000000';

interface Row {
  n: number;
  variant: 'ours' | 'naive';
  scenario: 'first sync' | 'unchanged re-sync' | '1% changed' | 'unchanged, 1 page in flight';
  wallMs: number;
  requests: number;
  pages: number;
  writeUnits: number;
  estimatedWriteUnits: number;
  readUnits: number;
  itemWrites: number;
  events: number;
  peakRssMb: number;
  floorMs: number;
  outcome: string;
}

async function main(): Promise<void> {
  const bundle = join(ROOT, '.cache', 'bench', 'scenario.mjs');
  await build({
    entryPoints: [join(ROOT, 'bench', 'scenario.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    logLevel: 'error',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  // 50,000 connections are ~110,000 items held on DynamoDB Local's JVM heap (see startDynamoDbLocal).
  const ddb = await startDynamoDbLocal({ heapMb: 4096 });
  const dli = await startDliEmulator({ credentials: { [AK]: SK }, latencyMs: PAGE_LATENCY_MS });
  const rows: Row[] = [];
  try {
    for (const n of SIZES) {
      const projectId = `bench${n}`;
      const target = { region: 'cn-north-4', projectId, endpoint: dli.url };
      const data = makeConnections(n, { seed: n, peeringsPerConnection: 3 });
      dli.setConnections(projectId, data);
      const table = `bench-${n}-${Date.now()}`;
      const admin = createStore({ tableName: table, retentionDays: 400, clientConfig: local(ddb.endpoint) });
      // No stream here: DynamoDB Local's stream log slows every later write as it grows (measured: the
      // 10,000 first sync took 18.8 s on a fresh stream, 62.7 s after the 1,000 runs, 242 s after the
      // baseline's too), which DynamoDB's streams never do to the write path. Nothing here reads it.
      await setupTable(admin, { stream: false });

      const run = async (
        variant: Row['variant'],
        scenario: Row['scenario'],
        concurrency = CONCURRENCY,
      ): Promise<Row> => {
        const args = {
          variant,
          ddbEndpoint: ddb.endpoint,
          table,
          target,
          ak: AK,
          sk: SK,
          pageSize: PAGE_SIZE,
          concurrency,
        };
        // Asynchronous on purpose: the emulator serves from this process's event loop.
        const out = await runNode([...lambdaHeapFlags(lambdaMemoryFor(n)), bundle, JSON.stringify(args)]);
        const line = out.stdout.trim().split('\n').pop() ?? '';
        if (out.code !== 0 || !line.startsWith('{'))
          throw new Error(`scenario failed: ${out.stderr.slice(0, 500)}`);
        const r = JSON.parse(line) as Omit<Row, 'n' | 'variant' | 'scenario' | 'floorMs'>;
        // The physical floor: every page must be requested, `concurrency` at a time, each taking the latency.
        const conc = variant === 'naive' ? 1 : concurrency;
        const row: Row = { n, variant, scenario, ...r, floorMs: Math.ceil(r.pages / conc) * PAGE_LATENCY_MS };
        rows.push(row);
        process.stdout.write(`${formatRow(row)}\n`);
        return row;
      };

      await run('ours', 'first sync');
      await run('ours', 'unchanged re-sync');
      changePeerings(data, 0.01);
      dli.setConnections(projectId, data);
      await run('ours', '1% changed');
      // The same sync with one page request at a time: what paging concurrency buys.
      await run('ours', 'unchanged, 1 page in flight', 1);
      if (n <= NAIVE_MAX && !oursOnly) {
        await run('naive', 'first sync');
        await run('naive', 'unchanged re-sync');
      }
      // Frees DynamoDB Local's heap for the next size.
      await admin.raw.send(new DeleteTableCommand({ TableName: table }));
    }
  } finally {
    await dli.close();
    await ddb.stop();
  }
  report(rows);
}

function lambdaHeapFlags(memoryMb: number): string[] {
  if (memoryMb === 0) return [];
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

const local = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/** Flips the status of `share` of all peerings (ACTIVE → FAILED, anything else → ACTIVE), spread evenly. */
function changePeerings(data: Record<string, unknown>[], share: number): void {
  const all = data.flatMap((c) => c.available_queue_info as Record<string, unknown>[]);
  const every = Math.round(1 / share);
  all.forEach((q, i) => {
    if (i % every !== 0) return;
    const failing = q.status === 'ACTIVE';
    Object.assign(q, {
      status: failing ? 'FAILED' : 'ACTIVE',
      err_msg: failing ? 'bench: peering failed' : '',
      update_time: Date.now(),
    });
  });
}

const r1 = (x: number): string => (Math.round(x * 10) / 10).toString();

function formatRow(r: Row): string {
  return `| ${r.n.toLocaleString('en')} | ${r.variant} | ${r.scenario} | ${r1(r.wallMs / 1000)} | ${r1(r.floorMs / 1000)} | ${r1(r.wallMs / r.floorMs)} | ${r.requests} | ${r1(r.writeUnits)} | ${r1(r.estimatedWriteUnits)} | ${r.itemWrites} | ${r1(r.readUnits)} | ${r.events} | ${Math.round(r.peakRssMb)} | ${lambdaMemoryFor(r.n) || 'V8 default'} |`;
}

function report(rows: Row[]): void {
  const header =
    '| N | variant | scenario | wall s | floor s | wall/floor | API requests | write units (reported) | write units (by size rules) | item writes | read units | events | peak RSS MB | Lambda MB |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';
  const ratios: string[] = [];
  const naiveCost: string[] = [];
  for (const n of SIZES) {
    for (const scenario of ['first sync', 'unchanged re-sync'] as const) {
      const ours = rows.find((r) => r.n === n && r.variant === 'ours' && r.scenario === scenario);
      const naive = rows.find((r) => r.n === n && r.variant === 'naive' && r.scenario === scenario);
      if (ours && naive) {
        ratios.push(
          `- N=${n.toLocaleString('en')}, ${scenario}: baseline/ours time ${r1(naive.wallMs / ours.wallMs)}×, write units ${r1(naive.estimatedWriteUnits / ours.estimatedWriteUnits)}× (by size rules; ${r1(naive.writeUnits / Math.max(ours.writeUnits, 1))}× as reported); ours/floor ${r1(ours.wallMs / ours.floorMs)}×`,
        );
        naiveCost.push(
          `- naive at N=${n.toLocaleString('en')}, ${scenario}: ${r1((naive.wallMs / naive.itemWrites) * 1000)} µs and ${r1(naive.writeUnits / naive.itemWrites)} write units per item write`,
        );
      } else if (ours) {
        ratios.push(
          `- N=${n.toLocaleString('en')}, ${scenario}: ours/floor ${r1(ours.wallMs / ours.floorMs)}×`,
        );
      }
    }
  }
  for (const n of SIZES) {
    const one = rows.find((r) => r.n === n && r.scenario === 'unchanged, 1 page in flight');
    const four = rows.find((r) => r.n === n && r.variant === 'ours' && r.scenario === 'unchanged re-sync');
    if (one && four) {
      ratios.push(
        `- N=${n.toLocaleString('en')}, unchanged re-sync: 1 page in flight ${r1(one.wallMs / 1000)} s vs ${CONCURRENCY} in flight ${r1(four.wallMs / 1000)} s (${r1(one.wallMs / four.wallMs)}×)`,
      );
    }
  }
  const biggest = Math.max(...SIZES);
  const perItem = rows.filter((r) => r.variant === 'naive' && r.scenario === 'first sync');
  const last = perItem[perItem.length - 1];
  if (biggest > NAIVE_MAX && last) {
    const items = biggest * 4; // one connection + three peerings each
    naiveCost.push(
      `- naive at N=${biggest.toLocaleString('en')} (extrapolated, not run): ~${r1(((last.wallMs / last.itemWrites) * items) / 1000)} s and ~${Math.round((last.estimatedWriteUnits / last.itemWrites) * items)} write units per run, from the N=${last.n.toLocaleString('en')} per-item cost`,
    );
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, DynamoDB Local 2.x (amplify-dynamodb-simulator 2.9.30, in memory), emulator ${PAGE_LATENCY_MS} ms per page, page size ${PAGE_SIZE}, ours at ${CONCURRENCY} pages in flight`;
  const md = `# Benchmark results\n\nMachine: ${machine}. Measured ${new Date().toISOString()} with \`npm run bench${quick ? ' -- --quick' : ''}\`.\n\n${header}\n${rows.map(formatRow).join('\n')}\n\nRatios (same run):\n${ratios.join('\n')}\n\nBaseline cost per item:\n${naiveCost.join('\n')}\n\n"item writes" counts every Put/Update/Delete, in transactions too; ours includes 3 per run that do not depend on N (lease acquire, run record, lease release). "Reported" write units are what DynamoDB Local returns through ReturnConsumedCapacity; it under-reports transactions, so "by size rules" applies DynamoDB's documented pricing (1 unit per started KB, doubled in a transaction) to every item written. Peak RSS is the max resident set of the process that ran the sync (a fresh \`node\` process with the esbuild bundle), run under the V8 heap limits Lambda derives from the memory size in the \`Lambda MB\` column (${lambdaHeapFlags(128).join(' ')} for 128 MB); about 40 MB of it is the \`node\` binary's own pages.\n`;
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', 'latest.json'),
    `${JSON.stringify({ machine, quick, rows }, null, 2)}\n`,
  );
  if (!quick && !sizesArg && !oursOnly && !lambdaArg) writeFileSync(join(ROOT, 'bench', 'RESULTS.md'), md);
  process.stdout.write(`\n${md}`);
  const unchanged = rows.find(
    (r) => r.variant === 'ours' && r.scenario === 'unchanged re-sync' && r.n === SIZES[0],
  );
  if (unchanged?.itemWrites !== 3) {
    process.stderr.write(
      `unchanged re-sync wrote ${unchanged?.itemWrites} items; expected only the 3 per-run items\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
