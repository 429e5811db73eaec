/**
 * One schedule tick: sweep every target here (inline), or hand each to the fan-out queue when there
 * are more than one invocation should sweep (lib/sync/fanout.ts decides and says why), and report
 * which targets have not been swept for too long (the stale-targets alarm's metric).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduleConfig, SyncConfig } from '../config.ts';
import { describeError } from '../errors.ts';
import { METRIC, MetricUnit, recordRun, type Telemetry } from '../log.ts';
import type { RunRecord } from '../model/schemas.ts';
import { targetSpec } from '../model/target.ts';
import type { Store } from '../store/client.ts';
import { chooseMode, enqueueTargets, inlineCapacity, loadSweepAges, staleness } from './fanout.ts';
import { remindStep } from './remind.ts';
import { syncAll } from './run.ts';

export interface TickResult {
  ok: boolean;
  runs: RunRecord[];
  /** Set in fan-out mode: messages put on the queue. */
  enqueued?: number;
}

export interface TickDeps {
  store: Store;
  telemetry: Telemetry;
  /** Created only in fan-out mode. */
  sqs: () => SQSClient;
  /** What is left of the invocation, when known: it bounds how many targets fit inline. */
  remainingMs?: number | undefined;
}

export async function scheduledTick(
  config: SyncConfig,
  schedule: ScheduleConfig,
  deps: TickDeps,
): Promise<TickResult> {
  const { store, telemetry: t } = deps;
  const mode = chooseMode({
    targets: config.targets.length,
    threshold: schedule.fanoutThreshold,
    capacity:
      deps.remainingMs === undefined ? null : inlineCapacity({ ...config, remainingMs: deps.remainingMs }),
    queueUrl: schedule.fanoutQueueUrl,
  });
  const staleAfterMs = schedule.intervalMs * schedule.staleAfterIntervals;

  if (mode === 'fanout' && schedule.fanoutQueueUrl) {
    // Staleness first: it describes the previous ticks, which is what the alarm is about.
    await reportStaleness(t, store, config, new Map(), staleAfterMs);
    const out = await enqueueTargets(
      deps.sqs(),
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
    await remindSafely(t, store, schedule);
    return { ok: out.failed.length === 0, runs: [], enqueued: out.enqueued };
  }

  const summary = await syncAll(config, {
    store,
    onProgress: (p) => {
      if (p.kind === 'target-done') recordRun(t, p.run);
    },
  });
  await reportStaleness(t, store, config, completedAt(summary.runs), staleAfterMs);
  await remindSafely(t, store, schedule);
  return summary;
}

/** Reminders of open alerts (lib/sync/remind.ts); a failure is logged, never fatal: the next tick catches up. */
async function remindSafely(t: Telemetry, store: Store, schedule: ScheduleConfig): Promise<void> {
  if (schedule.remindAfterMs === undefined) return;
  try {
    const r = await remindStep(store, { now: Date.now(), remindAfterMs: schedule.remindAfterMs });
    if (r.due > 0) t.logger.info('reminders written', { due: r.due, created: r.created });
  } catch (err) {
    t.logger.error('could not write reminders', { error: describeError(err) });
  }
}

const completedAt = (runs: RunRecord[]): Map<string, string> =>
  new Map(runs.filter((r) => r.outcome === 'complete').map((r) => [targetSpec(r), r.startedAt]));

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
