/**
 * The fan-out worker's loop: one SQS message names one target (lib/sync/fanout.ts), swept through
 * the same syncTarget as the inline path, under the target's lease. The answer lists only the
 * messages to retry (ReportBatchItemFailures):
 * - a sweep that ends failed or incomplete is done: its run record and the sync-errors alarm say
 *   so, and the next tick sweeps again (a retry now would only add load on the DLI API);
 * - an exception (the run record could not be written, the store is down) is retried, and after
 *   the queue's maxReceiveCount lands in the DLQ, whose depth is alarmed;
 * - a body that is not our message is retried too, so it ends in the DLQ where someone sees it;
 * - a message older than one schedule interval is dropped: the next tick's message supersedes it;
 * - a message naming a target outside the configured ones (DLI_TARGETS_PARAMETER) and the registry's
 *   non-retired ones (discovered by the scheduled function, lib/store/targets.ts) is refused: logged,
 *   metered (RejectedFanoutMessages), not swept and not retried. A retired target is refused too: it
 *   left configuration and discovery, and sweeping it is what retiring means not to do.
 *
 * Messages are swept one after another, as they come: the lease and the DLI API's rate limits are
 * per target, and the worker's reserved concurrency is what spreads targets over invocations.
 *
 * Not Powertools' processPartialResponse: it reports only records whose handler threw, so the
 * expired and refused messages would fit, but it processes in parallel by default and throws when
 * every record failed (a full-batch retry), both to be switched off, for a 20-line loop and a new
 * dependency. The notifier's stream handler cannot use it at all: delivery works on the batch as a
 * whole (digests, pacing, ordering by detection time), not record by record.
 */
import type { SyncConfig } from '../config.ts';
import { describeError } from '../errors.ts';
import { METRIC, MetricUnit, recordRun, type Telemetry } from '../log.ts';
import type { Target } from '../model/schemas.ts';
import { targetSpec } from '../model/target.ts';
import type { Store } from '../store/client.ts';
import { knownTargets } from '../store/targets.ts';
import { defaultEndpoint } from '../validate.ts';
import { configuredTarget, type FanoutMessage, isExpired, parseFanoutMessage } from './fanout.ts';
import { syncTarget } from './run.ts';

/** An SQS record as the event source mapping delivers it; nothing is trusted about its shape. */
export interface FanoutRecord {
  messageId?: unknown;
  body?: unknown;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** What to do with one message. Pure: the message, the configured targets and the clock decide. */
export type Verdict =
  | { kind: 'unreadable' }
  | { kind: 'expired'; message: FanoutMessage }
  | { kind: 'refused'; message: FanoutMessage }
  /** `target` is the configured one (its endpoint included), never built from the message. */
  | { kind: 'sweep'; message: FanoutMessage; target: Target };

export function verdict(body: unknown, targets: readonly Target[], nowMs: number): Verdict {
  const message = typeof body === 'string' ? parseFanoutMessage(body) : null;
  if (!message) return { kind: 'unreadable' };
  if (isExpired(message, nowMs)) return { kind: 'expired', message };
  const target = configuredTarget(message, targets);
  return target ? { kind: 'sweep', message, target } : { kind: 'refused', message };
}

export interface WorkerDeps {
  store: Store;
  telemetry: Telemetry;
  now?: () => number;
  /** The DLI endpoint of a registered (discovered) target's region; default the region's own. */
  endpointFor?: (region: string) => string;
}

/** The log's name for the target a message names (cut: a refused message's ids are anyone's text). */
const named = (m: FanoutMessage): string => targetSpec(m).slice(0, 130);

/** Sweeps each message's target in turn; never throws for one message (the answer says what to retry). */
export async function processFanoutBatch(
  records: readonly FanoutRecord[],
  config: SyncConfig,
  deps: WorkerDeps,
): Promise<BatchResponse> {
  const { logger, metrics } = deps.telemetry;
  const now = deps.now ?? Date.now;
  const failures: { itemIdentifier: string }[] = [];
  // The registry is read only when a message names a target outside configuration, once a batch.
  let accepted: Promise<Target[]> | null = null;
  const registered = () =>
    (accepted ??= knownTargets(
      deps.store,
      config.targets,
      deps.endpointFor ?? ((region) => defaultEndpoint('dli', region)),
      { retired: false },
    ));
  for (const record of records) {
    const messageId = typeof record.messageId === 'string' ? record.messageId : '';
    let v = verdict(record.body, config.targets, now());
    if (v.kind === 'refused') v = verdict(record.body, await registered(), now());
    if (v.kind === 'unreadable') {
      logger.error('fan-out message is not a target message; left for the DLQ', { messageId });
      failures.push({ itemIdentifier: messageId });
    } else if (v.kind === 'expired') {
      logger.info('fan-out message superseded by a later tick; dropped', {
        target: named(v.message),
        notAfter: v.message.notAfter,
      });
      metrics.addMetric(METRIC.expiredMessages, MetricUnit.Count, 1);
    } else if (v.kind === 'refused') {
      logger.error('fan-out message names a target that is not configured; refused, nothing swept', {
        target: named(v.message),
        messageId,
      });
      metrics.addMetric(METRIC.rejectedMessages, MetricUnit.Count, 1);
    } else {
      try {
        recordRun(deps.telemetry, await syncTarget(config, v.target, { store: deps.store }));
      } catch (err) {
        logger.error('fan-out sweep failed; message will be retried', {
          target: named(v.message),
          error: describeError(err),
        });
        metrics.addMetric(METRIC.targetSyncFailures, MetricUnit.Count, 1);
        failures.push({ itemIdentifier: messageId });
      }
    }
  }
  return { batchItemFailures: failures };
}
