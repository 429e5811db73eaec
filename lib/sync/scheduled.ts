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
import { loadRegistry } from '../store/targets.ts';
import { chooseMode, enqueueTargets, inlineCapacity, loadSweepAges, staleness } from './fanout.ts';
import { remindStep } from './remind.ts';
import { resolveTargets, withResolution } from './resolve.ts';
import { syncAll } from './run.ts';
import { alertStaleTargets } from './stale-alerts.ts';
import { recordResolution } from './targets.ts';

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
  /** The clock of the runs and of staleness; tests pin it. */
  now?: () => Date;
}

export async function scheduledTick(
  configured: SyncConfig,
  schedule: ScheduleConfig,
  deps: TickDeps,
): Promise<TickResult> {
  const { store, telemetry: t } = deps;
  // Discovery before fan-out: every message names a resolved target. A scope that could not be
  // discovered is an error of this tick, never a silently shorter list (lib/dli/discovery.ts).
  const resolution = await resolveTargets(configured);
  for (const p of resolution.problems) t.logger.error('target discovery failed', { ...p });
  const config = withResolution(configured, resolution);
  const resolvedOk = resolution.problems.length === 0;
  // Before sweeping: targets no longer resolved become retired (never swept, never tombstoned). Not
  // fatal: the sweeps matter more than the registry, which the next tick records again.
  await recordResolution(store, resolution, new Date()).catch((err: unknown) =>
    t.logger.error('could not record the resolved targets', { error: describeError(err) }),
  );
  const mode = chooseMode({
    targets: config.targets.length,
    threshold: schedule.fanoutThreshold,
    capacity:
      deps.remainingMs === undefined ? null : inlineCapacity({ ...config, remainingMs: deps.remainingMs }),
    queueUrl: schedule.fanoutQueueUrl,
  });
  const staleAfterMs = schedule.intervalMs * schedule.staleAfterIntervals;
  const clock = deps.now ?? (() => new Date());

  if (mode === 'fanout' && schedule.fanoutQueueUrl) {
    // Staleness first: it describes the previous ticks, which is what the alarm is about.
    await reportStaleness(t, store, config, new Map(), staleAfterMs, clock);
    const out = await enqueueTargets(
      deps.sqs(),
      schedule.fanoutQueueUrl,
      config.targets,
      clock(),
      schedule.intervalMs,
    );
    t.metrics.addMetric(METRIC.targetsEnqueued, MetricUnit.Count, out.enqueued);
    t.metrics.addMetric(METRIC.targetSyncFailures, MetricUnit.Count, out.failed.length);
    t.logger.info('targets handed to the fan-out queue', {
      mode,
      enqueued: out.enqueued,
      failed: out.failed,
    });
    await remindSafely(t, store, schedule, clock);
    return { ok: resolvedOk && out.failed.length === 0, runs: [], enqueued: out.enqueued };
  }

  const summary = await syncAll(config, {
    store,
    now: clock,
    onProgress: (p) => {
      if (p.kind === 'target-done') recordRun(t, p.run);
    },
  });
  await reportStaleness(t, store, config, completedAt(summary.runs), staleAfterMs, clock);
  await remindSafely(t, store, schedule, clock);
  return { ...summary, ok: resolvedOk && summary.ok };
}

/** Reminders of open alerts (lib/sync/remind.ts); a failure is logged, never fatal: the next tick catches up. */
async function remindSafely(
  t: Telemetry,
  store: Store,
  schedule: ScheduleConfig,
  clock: () => Date,
): Promise<void> {
  if (schedule.remindAfterMs === undefined) return;
  try {
    const r = await remindStep(store, { now: clock().getTime(), remindAfterMs: schedule.remindAfterMs });
    if (r.due > 0) t.logger.info('reminders written', { due: r.due, created: r.created });
  } catch (err) {
    t.logger.error('could not write reminders', { error: describeError(err) });
  }
}

const completedAt = (runs: RunRecord[]): Map<string, string> =>
  new Map(runs.filter((r) => r.outcome === 'complete').map((r) => [targetSpec(r), r.startedAt]));

/**
 * StaleTargets and OldestSweepAgeSeconds for the alarm, and the TARGET_STALE / TARGET_RECOVERED
 * alerts people see (lib/sync/stale.ts); a failed read or write is logged, never fatal.
 */
async function reportStaleness(
  t: Telemetry,
  store: Store,
  config: SyncConfig,
  known: Map<string, string>,
  staleAfterMs: number,
  clock: () => Date,
): Promise<void> {
  try {
    const nowMs = clock().getTime();
    const ages = await loadSweepAges(store, config.targets, known);
    const s = staleness(ages, nowMs, staleAfterMs);
    t.metrics.addMetric(METRIC.staleTargets, MetricUnit.Count, s.stale.length);
    if (s.oldestAgeSeconds !== null)
      t.metrics.addMetric(METRIC.oldestSweepAgeSeconds, MetricUnit.Seconds, s.oldestAgeSeconds);
    if (s.stale.length > 0 || s.neverSwept.length > 0)
      t.logger.warn('targets not swept recently', { stale: s.stale, neverSwept: s.neverSwept });
    await staleAlerts(t, store, config, { ages, nowMs, staleAfterMs });
  } catch (err) {
    // No datapoint this tick: the alarm treats missing data as breaching, so this still surfaces.
    t.logger.error('could not compute target staleness', { error: describeError(err) });
  }
}

/** Separate from the metric: a failed alert write must not cost the alarm its datapoint. */
async function staleAlerts(
  t: Telemetry,
  store: Store,
  config: SyncConfig,
  at: { ages: Map<string, string | null>; nowMs: number; staleAfterMs: number },
): Promise<void> {
  try {
    // A denied or not-enabled target never completes a sweep, but it has its own open alert
    // (TARGET_DENIED); a second one saying "not swept" would be noise.
    const excused = new Set(
      (await loadRegistry(store))
        .filter((r) => r.state === 'denied' || r.state === 'not-enabled')
        .map(targetSpec),
    );
    const watched = config.targets.filter((x) => !excused.has(targetSpec(x)));
    const alerts = await alertStaleTargets(store, watched, at.ages, at.nowMs, at.staleAfterMs);
    if (alerts.opened.length > 0 || alerts.closed.length > 0)
      t.logger.info('stale-target alerts', { ...alerts });
  } catch (err) {
    // The next tick decides again from the same stored facts: nothing is lost, only delayed.
    t.logger.error('could not write stale-target alerts', { error: describeError(err) });
  }
}
