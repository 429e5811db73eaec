/**
 * `npm run bench:cli`: how long `dli-sync` takes to start, against a bare `node -e 0`. Median of 10
 * fresh processes each, taken in alternation (bare, --help, events, …) so that other work on the
 * machine hits all three alike; one warm-up round first (it fills the file cache, not V8's).
 *
 * - `dli-sync --help`: the smallest run; target within 150 ms of bare.
 * - `dli-sync events`: a query command through its first network call. DynamoDB is a local HTTP
 *   server here that answers every request at once with ResourceNotFoundException, a
 *   non-retryable error, so the figure is the CLI's own start (configuration, the AWS SDK, the
 *   query module) plus one loopback round trip, and no retry backoff; the CLI exits 1 with its "run
 *   dli-sync setup first" line. Target within 350 ms of bare.
 *
 * Runs bin/dli-sync.js as `npx dli-sync` does: the bundle when current (built first, unless
 * --no-build), else tsx. `--tsx` forces the tsx path (DLI_SYNC_NO_BUNDLE=1) for comparison; `--root=DIR`
 * measures another checkout (e.g. an older commit unpacked with its node_modules linked).
 * Exits 1 when a target is missed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCli } from '../scripts/build-cli.ts';

const ROUNDS = 10;
const HELP_TARGET_MS = 150;
const QUERY_TARGET_MS = 350;

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const ROOT = arg('root') ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'dli-sync.js');

interface Sample {
  wallMs: number;
  /** user + system CPU of the child, from GNU time when it is installed; null otherwise. */
  cpuMs: number | null;
}

// Wall time on a shared machine swings with its load; CPU time hardly does, so both are shown.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const CPU_FILE = join(tmpdir(), `bench-cli-${process.pid}.time`);

function timeRun(args: string[], env: Record<string, string | undefined>): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const [cmd, argv] = GNU_TIME
      ? [GNU_TIME, ['-o', CPU_FILE, '-f', '%U %S', process.execPath, ...args]]
      : [process.execPath, args];
    const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // --help and node -e 0 exit 0; events exits 1 with the table-not-found line, nothing else.
      // (GNU time adds "Command exited with non-zero status 1" for events.)
      const expected = args.includes('events') ? /table \S+ not found/.test(stderr) : code === 0;
      if (!expected) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
      const cpu = GNU_TIME ? readFileSync(CPU_FILE, 'utf8').trim().split('\n').pop()?.split(' ') : null;
      resolve({ wallMs: ms, cpuMs: cpu ? (Number(cpu[0]) + Number(cpu[1])) * 1000 : null });
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

async function main(): Promise<void> {
  const tsx = process.argv.includes('--tsx');
  if (!tsx && !arg('root') && !process.argv.includes('--no-build')) await buildCli();
  // Answers DynamoDB's JSON protocol with the error a missing table gets: not retried by the SDK.
  const ddb = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
          message: 'Requested resource not found',
        }),
      );
    });
  });
  await new Promise<void>((r) => ddb.listen(0, '127.0.0.1', r));
  const port = (ddb.address() as AddressInfo).port;
  const base = { PATH: process.env.PATH, ...(tsx ? { DLI_SYNC_NO_BUNDLE: '1' } : {}) };
  const queryEnv = {
    ...base,
    TABLE_NAME: 'bench-cli',
    DLI_TARGETS: 'cn-north-4:0a1b2c',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
  };
  const runs = {
    bare: () => timeRun(['-e', '0'], base),
    help: () => timeRun([BIN, '--help'], base),
    events: () => timeRun([BIN, 'events'], queryEnv),
  };
  const samples: Record<keyof typeof runs, Sample[]> = { bare: [], help: [], events: [] };
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [name, run] of Object.entries(runs) as [keyof typeof runs, () => Promise<Sample>][]) {
        const sample = await run();
        if (round > 0) samples[name].push(sample);
      }
    }
  } finally {
    ddb.close();
    rmSync(CPU_FILE, { force: true });
  }
  const wall = (k: keyof typeof runs) => median(samples[k].map((x) => x.wallMs));
  const cpu = (k: keyof typeof runs) => (GNU_TIME ? median(samples[k].map((x) => x.cpuMs ?? 0)) : Number.NaN);
  const bare = wall('bare');
  const help = wall('help');
  const events = wall('events');
  const ok = (above: number, target: number) => (above <= target ? 'ok' : 'MISSED');
  const cpuText = (k: keyof typeof runs) =>
    GNU_TIME ? `   cpu ${cpu(k).toFixed(0).padStart(4)} ms (+${(cpu(k) - cpu('bare')).toFixed(0)})` : '';
  console.log(
    `dli-sync start-up on node ${process.version} (${tsx ? 'tsx forced' : 'bundle when current'}), median of ${ROUNDS}, load ${loadavg()[0]?.toFixed(2)}`,
  );
  console.log(`node -e 0          ${bare.toFixed(0).padStart(5)} ms${' '.repeat(36)}${cpuText('bare')}`);
  console.log(
    `dli-sync --help    ${help.toFixed(0).padStart(5)} ms  +${(help - bare).toFixed(0).padStart(4)} ms (target +${HELP_TARGET_MS}: ${ok(help - bare, HELP_TARGET_MS).padEnd(6)}) ${(help / bare).toFixed(1)}×${cpuText('help')}`,
  );
  console.log(
    `dli-sync events    ${events.toFixed(0).padStart(5)} ms  +${(events - bare).toFixed(0).padStart(4)} ms (target +${QUERY_TARGET_MS}: ${ok(events - bare, QUERY_TARGET_MS).padEnd(6)}) ${(events / bare).toFixed(1)}×${cpuText('events')}`,
  );
  if (help - bare > HELP_TARGET_MS || events - bare > QUERY_TARGET_MS) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
