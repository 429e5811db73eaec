/**
 * Fan-out worker: one SQS message names one target (lib/sync/fanout.ts), swept through the same
 * syncTarget as the inline path, under the target's lease. The answer lists only the messages to
 * retry (ReportBatchItemFailures):
 * - a sweep that ends failed or incomplete is done: its run record and the sync-errors alarm say
 *   so, and the next tick sweeps again (a retry now would only add load on the DLI API);
 * - an exception (the run record could not be written, the store is down) is retried, and after
 *   the queue's maxReceiveCount lands in the DLQ, whose depth is alarmed;
 * - a body that is not our message is retried too, so it ends in the DLQ where someone sees it;
 * - a message older than one schedule interval is dropped: the next tick's message supersedes it.
 */
import { storeFor } from '../lib/app.ts';
import { loadSyncConfig } from '../lib/config.ts';
import { describeError } from '../lib/errors.ts';
import { createTelemetry, METRIC, MetricUnit, recordRun, type Telemetry } from '../lib/log.ts';
import { ParameterCache, resolveEnv, ssmReader } from '../lib/secrets.ts';
import type { Store } from '../lib/store/client.ts';
import { isExpired, parseFanoutMessage } from '../lib/sync/fanout.ts';
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
    // Only the credentials parameter is set for the worker: its targets come in the messages.
    const env = await resolveEnv(process.env, params);
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
      try {
        // The message's target goes through the same validation as DLI_TARGETS (region, project id).
        const config = loadSyncConfig({ ...env, DLI_TARGETS: target });
        if (cached?.table !== config.tableName) cached = { table: config.tableName, store: storeFor(config) };
        const [only] = config.targets;
        if (!only) throw new Error('no target in the message');
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
