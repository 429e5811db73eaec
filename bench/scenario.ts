/**
 * One measured sync in a fresh process, so that its peak RSS is its own. Bundled by bench/sync.ts with
 * esbuild and run with plain `node`, as Lambda would run it. Prints one JSON line.
 */

import type { SyncConfig } from '../lib/config.ts';
import type { Target } from '../lib/model/schemas.ts';
import { createStore } from '../lib/store/client.ts';
import { syncAll } from '../lib/sync/run.ts';
import { naiveSync } from './naive.ts';

interface Args {
  variant: 'ours' | 'naive';
  ddbEndpoint: string;
  table: string;
  target: Target;
  ak: string;
  sk: string;
  pageSize: number;
  concurrency: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const store = createStore({
  tableName: args.table,
  retentionDays: 400,
  clientConfig: {
    endpoint: args.ddbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  },
});
const credentials = { kind: 'aksk' as const, ak: args.ak, sk: args.sk };
const started = performance.now();
let result: Record<string, unknown>;
if (args.variant === 'naive') {
  const r = await naiveSync(store, args.target, credentials, args.pageSize);
  result = { ...r, events: 0, outcome: 'complete' };
} else {
  const config: SyncConfig = {
    tableName: args.table,
    retentionDays: 400,
    targets: [args.target],
    credentials,
    pageSize: args.pageSize,
    pageConcurrency: args.concurrency,
    targetConcurrency: 1,
    sweepDeadlineMs: 600_000,
  };
  const { runs } = await syncAll(config, { store });
  const run = runs[0]!;
  result = {
    requests: run.apiRequests,
    pages: run.pages,
    seen: run.seen,
    events: run.events,
    outcome: run.outcome,
    error: run.error,
  };
}
const wallMs = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({
    ...result,
    wallMs,
    writeUnits: store.meter.writeUnits,
    estimatedWriteUnits: store.meter.estimatedWriteUnits,
    readUnits: store.meter.readUnits,
    itemWrites: store.meter.itemWrites,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
process.exit(0);
