/**
 * A DynamoDB Stream batch → deliveries → the partial-batch answer. Shared by the Lambda function
 * (functions/notify.ts) and the local stream poller, so both run the same path.
 */
import type { Store } from '../store/client.ts';
import { deliverAcks } from './ack-deliver.ts';
import type { ChannelConfig } from './config.ts';
import { type DeliverDeps, defaultDeps, deliverEvents } from './deliver.ts';
import { parseStreamBatch, type StreamBatchResponse } from './stream.ts';

export interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
}

export type StreamHandler = (event: unknown, context?: LambdaContextLike) => Promise<StreamBatchResponse>;

/** Stop starting waits this long before the Lambda timeout, leaving time to record and answer. */
const DEADLINE_MARGIN_MS = 10_000;

export function createStreamHandler(opts: {
  store: Store;
  channels: readonly ChannelConfig[];
  deps?: Partial<DeliverDeps>;
}): StreamHandler {
  // One deps object per handler: the pacing buckets outlive a single batch in a warm Lambda.
  const base = defaultDeps({ ...opts.deps, mode: 'stream' });
  return async (event, context) => {
    const batch = parseStreamBatch(event);
    for (const bad of batch.invalid) {
      base.log({
        level: 'ERROR',
        message: 'stream record is not a deliverable event; skipped',
        sequenceNumber: bad.sequenceNumber,
        reason: bad.reason,
      });
    }
    if (batch.events.length === 0 && batch.acks.length === 0) return { batchItemFailures: [] };
    const remaining = context?.getRemainingTimeInMillis?.();
    const deps =
      remaining === undefined ? base : { ...base, deadline: base.now() + remaining - DEADLINE_MARGIN_MS };
    try {
      const report =
        batch.events.length === 0
          ? { events: [] }
          : await deliverEvents(
              opts.store,
              batch.events.map((r) => r.event),
              opts.channels,
              deps,
            );
      const retry = new Set(report.events.filter((e) => e.retry).map((e) => e.eventId));
      // After the events: an ack in the same batch then sees its alert's deliveries settled.
      const acks = await deliverAcks(
        opts.store,
        batch.acks.map((a) => a.eventId),
        opts.channels,
        deps,
      );
      const ackRetry = new Set(acks.filter((a) => a.retry).map((a) => a.eventId));
      return {
        batchItemFailures: [
          ...batch.events.filter((r) => retry.has(r.event.id)),
          ...batch.acks.filter((a) => ackRetry.has(a.eventId)),
        ].map((r) => ({ itemIdentifier: r.sequenceNumber })),
      };
    } catch (err) {
      // The store failed (reading records or history): nothing is known, the whole batch is retried.
      base.log({
        level: 'ERROR',
        message: 'delivery failed before sending',
        error: err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : 'Error',
      });
      return {
        batchItemFailures: [...batch.events, ...batch.acks].map((r) => ({
          itemIdentifier: r.sequenceNumber,
        })),
      };
    }
  };
}
