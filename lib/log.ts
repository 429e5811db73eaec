/**
 * Structured JSON logs and CloudWatch EMF metrics for the Lambda functions.
 *
 * AWS Lambda Powertools (Logger, Metrics) rather than a hand-rolled pair: it is what the ecosystem
 * reads (standard keys, cold-start flag, log level from POWERTOOLS_LOG_LEVEL / Lambda's advanced
 * logging controls, EMF batching and its 100-metric limit), and it costs 34 KB minified per bundle
 * (scripts/build.ts prints it), well inside the budgets.
 *
 * The environment comes in as an argument, like lib/config.ts: serverless.yml sets
 * POWERTOOLS_SERVICE_NAME per stage, so the alarms' `service` dimension tells stages apart.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Env } from './config.ts';
import type { RunRecord } from './model/schemas.ts';

export const METRICS_NAMESPACE = 'DliSync';

/** The metric names serverless.yml's alarms refer to: change both together. */
export const METRIC = {
  targetsSynced: 'TargetsSynced',
  targetSyncFailures: 'TargetSyncFailures',
  targetsSkipped: 'TargetsSkipped',
  changeEvents: 'ChangeEvents',
  targetsEnqueued: 'TargetsEnqueued',
  staleTargets: 'StaleTargets',
  oldestSweepAgeSeconds: 'OldestSweepAgeSeconds',
  expiredMessages: 'ExpiredFanoutMessages',
  /** Fan-out messages naming a target outside the configured ones: refused, nothing swept. */
  rejectedMessages: 'RejectedFanoutMessages',
} as const;

export interface Telemetry {
  logger: Logger;
  metrics: Metrics;
}

export function createTelemetry(env: Env): Telemetry {
  const serviceName = env.POWERTOOLS_SERVICE_NAME || 'dli-sync';
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE, serviceName }),
  };
}

/**
 * One target's run → one log line and its counters. Every counter is emitted on every run (0 or 1)
 * so the alarms see a continuous series rather than gaps. The run record holds no credential:
 * its error is describeError's one line.
 */
export function recordRun(t: Telemetry, run: RunRecord): void {
  const fields = { run: { ...run, quarantined: run.quarantined.length } };
  if (run.outcome === 'complete' || run.outcome === 'skipped') t.logger.info('target synced', fields);
  else t.logger.warn('target synced', fields);
  // Denied / not-enabled is a state of the target, reported once by its event, not a failed sync.
  const failed = (run.outcome === 'failed' || run.outcome === 'incomplete') && run.state === undefined;
  t.metrics.addMetric(METRIC.targetsSynced, MetricUnit.Count, run.outcome === 'complete' ? 1 : 0);
  t.metrics.addMetric(METRIC.targetSyncFailures, MetricUnit.Count, failed ? 1 : 0);
  t.metrics.addMetric(METRIC.targetsSkipped, MetricUnit.Count, run.outcome === 'skipped' ? 1 : 0);
  t.metrics.addMetric(METRIC.changeEvents, MetricUnit.Count, run.events);
}

export { MetricUnit };

/**
 * The `{ level, message, ...fields }` entries the notifier's and the poller's code write, through the
 * Powertools logger (standard keys, log level controls) when they run in Lambda.
 */
export function entryLogger(
  logger: Pick<Logger, 'error' | 'warn' | 'info'>,
): (entry: Record<string, unknown>) => void {
  return ({ level, message, ...fields }) => {
    const text = typeof message === 'string' ? message : 'log entry';
    if (level === 'ERROR') logger.error(text, fields);
    else if (level === 'WARN') logger.warn(text, fields);
    else logger.info(text, fields);
  };
}
