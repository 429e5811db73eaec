/**
 * Fan-out worker: one SQS message names one target (lib/sync/fanout.ts), swept through the same
 * syncTarget as the inline path, under the target's lease. The answer lists only the messages to
 * retry (ReportBatchItemFailures):
 * - a sweep that ends failed or incomplete is done: its run record and the sync-errors alarm say
 *   so, and the next tick sweeps again (a retry now would only add load on the DLI API);
 * - an exception (the run record could not be written, the store is down) is retried, and after
 *   the queue's maxReceiveCount lands in the DLQ, whose depth is alarmed;
 * - a body that is not our message is retried too, so it ends in the DLQ where someone sees it;
 * - a message older than one schedule interval is dropped: the next tick's message supersedes it;
 * - a message naming a target outside the configured ones (DLI_TARGETS_PARAMETER) is refused:
 *   logged, metered (RejectedFanoutMessages), not swept and not retried.
 */
import { storeFor } from '../lib/app.ts';
import { loadSyncConfig } from '../lib/config.ts';
import { describeError } from '../lib/errors.ts';
import { createTelemetry, METRIC, MetricUnit, recordRun, type Telemetry } from '../lib/log.ts';
import { ParameterCache, resolveEnv, ssmReader } from '../lib/secrets.ts';
import type { Store } from '../lib/store/client.ts';
import { configuredTarget, isExpired, parseFanoutMessage } from '../lib/sync/fanout.ts';
import { syncTarget } from '../lib/sync/run.ts';

interface SqsEvent {
  Records?: { messageId?: unknown; body?: unknown }[];
}

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

let params: ParameterCache | undefined;
let cached: { table: string; store: Store } | undefined;
let telemetry: Telemetry | undefined;

export async function handler(event: SqsEvent): Promise<SqsBatchResponse> {
  telemetry ??= createTelemetry(process.env);
  const t = telemetry;
  const failures: { itemIdentifier: string }[] = [];
  try {
    params ??= new ParameterCache(ssmReader());
    // The worker reads the targets too: a message may only pick one of them.
    const env = await resolveEnv(process.env, params);
    const config = loadSyncConfig(env);
    for (const record of event.Records ?? []) {
      const id = typeof record.messageId === 'string' ? record.messageId : '';
      const message = typeof record.body === 'string' ? parseFanoutMessage(record.body) : null;
      if (!message) {
        t.logger.error('fan-out message is not a target message; left for the DLQ', { messageId: id });
        failures.push({ itemIdentifier: id });
        continue;
      }
      const target = `${message.region}:${message.projectId}`;
      if (isExpired(message, Date.now())) {
        t.logger.info('fan-out message superseded by a later tick; dropped', {
          target,
          notAfter: message.notAfter,
        });
        t.metrics.addMetric(METRIC.expiredMessages, MetricUnit.Count, 1);
        continue;
      }
      const only = configuredTarget(message, config.targets);
      if (!only) {
        t.logger.error('fan-out message names a target that is not configured; refused, nothing swept', {
          target: target.slice(0, 130),
          messageId: id,
        });
        t.metrics.addMetric(METRIC.rejectedMessages, MetricUnit.Count, 1);
        continue;
      }
      try {
        if (cached?.table !== config.tableName) cached = { table: config.tableName, store: storeFor(config) };
        recordRun(t, await syncTarget(config, only, { store: cached.store }));
      } catch (err) {
        t.logger.error('fan-out sweep failed; message will be retried', {
          target,
          error: describeError(err),
        });
        t.metrics.addMetric(METRIC.targetSyncFailures, MetricUnit.Count, 1);
        failures.push({ itemIdentifier: id });
      }
    }
    return { batchItemFailures: failures };
  } finally {
    t.metrics.publishStoredMetrics();
  }
}
