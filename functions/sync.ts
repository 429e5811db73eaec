/**
 * Scheduled sync: EventBridge fires, and every configured target is either swept here (inline) or
 * handed to functions/sync-worker.ts through SQS (fan-out); lib/sync/fanout.ts decides and says why.
 * Targets and the AK/SK pair may come from SSM (lib/secrets.ts: read at cold start, cached, re-read
 * after their max age); the configuration is validated on every invocation, which costs nothing and
 * lets a new target in without a redeploy. A bad configuration fails loudly.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { storeFor } from '../lib/app.ts';
import { loadScheduleConfig, loadSyncConfig, type SyncConfig } from '../lib/config.ts';
import { describeError } from '../lib/errors.ts';
import { createTelemetry, METRIC, MetricUnit, recordRun, type Telemetry } from '../lib/log.ts';
import type { RunRecord } from '../lib/model.ts';
import { ParameterCache, resolveEnv, ssmReader } from '../lib/secrets.ts';
import type { Store } from '../lib/store/client.ts';
import { chooseMode, enqueueTargets, inlineCapacity, loadSweepAges, staleness } from '../lib/sync/fanout.ts';
import { syncAll } from '../lib/sync/run.ts';

let params: ParameterCache | undefined;
let cached: { table: string; store: Store } | undefined;
let sqs: SQSClient | undefined;
let telemetry: Telemetry | undefined;

interface RunSummary {
  target: string;
  outcome: string;
  events: number;
  error: string | null;
}

export async function handler(
  _event?: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<{ ok: boolean; runs: RunSummary[]; enqueued?: number }> {
  telemetry ??= createTelemetry(process.env);
  const t = telemetry;
  try {
    params ??= new ParameterCache(ssmReader());
    const env = await resolveEnv(process.env, params);
    const config = loadSyncConfig(env);
    const schedule = loadScheduleConfig(env);
    if (cached?.table !== config.tableName) cached = { table: config.tableName, store: storeFor(config) };
    const store = cached.store;
    const remainingMs = context?.getRemainingTimeInMillis?.();
    const mode = chooseMode({
      targets: config.targets.length,
      threshold: schedule.fanoutThreshold,
      capacity: remainingMs === undefined ? null : inlineCapacity({ ...config, remainingMs }),
      queueUrl: schedule.fanoutQueueUrl,
    });
    const staleAfterMs = schedule.intervalMs * schedule.staleAfterIntervals;

    if (mode === 'fanout' && schedule.fanoutQueueUrl) {
      // Staleness first: it describes the previous ticks, which is what the alarm is about.
      await reportStaleness(t, store, config, new Map(), staleAfterMs);
      sqs ??= new SQSClient({ maxAttempts: 5 });
      const out = await enqueueTargets(
        sqs,
        schedule.fanoutQueueUrl,
        config.targets,
        new Date(),
        schedule.intervalMs,
      );
      t.metrics.addMetric(METRIC.targetsEnqueued, MetricUnit.Count, out.enqueued);
      t.metrics.addMetric(METRIC.targetSyncFailures, MetricUnit.Count, out.failed.length);
      t.logger.info('targets handed to the fan-out queue', {
        mode,
        enqueued: out.enqueued,
        failed: out.failed,
      });
      return { ok: out.failed.length === 0, runs: [], enqueued: out.enqueued };
    }

    const summary = await syncAll(config, {
      store,
      onProgress: (p) => {
        if (p.kind === 'target-done') recordRun(t, p.run);
      },
    });
    await reportStaleness(t, store, config, completedAt(summary.runs), staleAfterMs);
    const runs = summary.runs.map((r) => ({
      target: `${r.region}/${r.projectId}`,
      outcome: r.outcome,
      events: r.events,
      error: r.error,
    }));
    // A failed target is reported, not thrown: EventBridge would retry every target, and the run
    // records plus the sync-errors alarm already say what went wrong.
    return { ok: summary.ok, runs };
  } catch (err) {
    t.logger.error('sync invocation failed', { error: describeError(err) });
    throw err;
  } finally {
    t.metrics.publishStoredMetrics();
  }
}

const completedAt = (runs: RunRecord[]): Map<string, string> =>
  new Map(
    runs.filter((r) => r.outcome === 'complete').map((r) => [`${r.region}:${r.projectId}`, r.startedAt]),
  );

/** StaleTargets and OldestSweepAgeSeconds for the alarm; a failed read is logged, never fatal. */
async function reportStaleness(
  t: Telemetry,
  store: Store,
  config: SyncConfig,
  known: Map<string, string>,
  staleAfterMs: number,
): Promise<void> {
  try {
    const s = staleness(await loadSweepAges(store, config.targets, known), Date.now(), staleAfterMs);
    t.metrics.addMetric(METRIC.staleTargets, MetricUnit.Count, s.stale.length);
    if (s.oldestAgeSeconds !== null)
      t.metrics.addMetric(METRIC.oldestSweepAgeSeconds, MetricUnit.Seconds, s.oldestAgeSeconds);
    if (s.stale.length > 0 || s.neverSwept.length > 0)
      t.logger.warn('targets not swept recently', { stale: s.stale, neverSwept: s.neverSwept });
  } catch (err) {
    // No datapoint this tick: the alarm treats missing data as breaching, so this still surfaces.
    t.logger.error('could not compute target staleness', { error: describeError(err) });
  }
}
