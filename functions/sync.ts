/**
 * Scheduled sync: EventBridge fires; lib/sync/scheduled.ts sweeps every target inline or hands
 * them to functions/sync-worker.ts through SQS. Targets and the AK/SK pair may come from SSM
 * (lib/secrets.ts: read at cold start, cached, re-read after their max age); the configuration is
 * validated on every invocation, which costs nothing and lets a new target in without a redeploy.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { storeFor } from '../lib/app.ts';
import { loadScheduleConfig, loadSyncConfig } from '../lib/config.ts';
import { describeError } from '../lib/errors.ts';
import { createTelemetry, type Telemetry } from '../lib/log.ts';
import { ParameterCache, resolveEnv, ssmReader } from '../lib/secrets.ts';
import type { Store } from '../lib/store/client.ts';
import { scheduledTick } from '../lib/sync/scheduled.ts';

let params: ParameterCache | undefined;
let cached: { table: string; store: Store } | undefined;
let sqs: SQSClient | undefined;
let telemetry: Telemetry | undefined;

export async function handler(
  _event?: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<{
  ok: boolean;
  runs: { target: string; outcome: string; events: number; error: string | null }[];
  enqueued?: number;
}> {
  telemetry ??= createTelemetry(process.env);
  const t = telemetry;
  try {
    params ??= new ParameterCache(ssmReader());
    const env = await resolveEnv(process.env, params);
    const config = loadSyncConfig(env);
    if (cached?.table !== config.tableName) cached = { table: config.tableName, store: storeFor(config) };
    const tick = await scheduledTick(config, loadScheduleConfig(env), {
      store: cached.store,
      telemetry: t,
      sqs: () => (sqs ??= new SQSClient({ maxAttempts: 5 })),
      remainingMs: context?.getRemainingTimeInMillis?.(),
    });
    // A failed target is reported, not thrown: EventBridge would retry every target, and the run
    // records plus the sync-errors alarm already say what went wrong.
    return {
      ok: tick.ok,
      runs: tick.runs.map((r) => ({
        target: `${r.region}/${r.projectId}`,
        outcome: r.outcome,
        events: r.events,
        error: r.error,
      })),
      ...(tick.enqueued === undefined ? {} : { enqueued: tick.enqueued }),
    };
  } catch (err) {
    t.logger.error('sync invocation failed', { error: describeError(err) });
    throw err;
  } finally {
    t.metrics.publishStoredMetrics();
  }
}
