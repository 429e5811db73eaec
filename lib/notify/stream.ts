/**
 * DynamoDB Stream batches, as Lambda hands them over (and as infra/local/stream-poller.ts builds
 * them): validated with zod, filtered like the event source mapping, unmarshalled into events.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import type { ChangeEvent } from '../model/schemas.ts';
import { toEvent } from '../store/items.ts';

/**
 * The event source mapping's filter (serverless.yml `filterPatterns`): only new event items and new
 * ack outbox items (lib/store/ack.ts) reach the notifier. The local poller applies the same rule
 * through matchesFilter.
 */
export const EVENT_SOURCE_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { entity: { S: ['event', 'ack'] } } },
} as const;

export const StreamRecordSchema = z.looseObject({
  eventID: z.string().optional(),
  eventName: z.string().optional(),
  dynamodb: z.looseObject({
    SequenceNumber: z.string(),
    NewImage: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type StreamRecord = z.infer<typeof StreamRecordSchema>;

export const StreamEventSchema = z.object({ Records: z.array(StreamRecordSchema) });

export interface StreamBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export function matchesFilter(r: StreamRecord): boolean {
  const entity = r.dynamodb.NewImage?.entity as { S?: unknown } | undefined;
  return r.eventName === 'INSERT' && (entity?.S === 'event' || entity?.S === 'ack');
}

export interface ParsedBatch {
  events: { sequenceNumber: string; event: ChangeEvent }[];
  /** Acknowledgements to pass on (lib/notify/ack-deliver.ts), by the acknowledged event's id. */
  acks: { sequenceNumber: string; eventId: string }[];
  /** Records that passed the filter but are not a valid event: never deliverable, so not retried. */
  invalid: { sequenceNumber: string; reason: string }[];
}

export function parseStreamBatch(input: unknown): ParsedBatch {
  const batch = StreamEventSchema.parse(input);
  const out: ParsedBatch = { events: [], acks: [], invalid: [] };
  for (const r of batch.Records) {
    if (!matchesFilter(r)) continue;
    const sequenceNumber = r.dynamodb.SequenceNumber;
    try {
      const item = unmarshall(r.dynamodb.NewImage as Record<string, AttributeValue>);
      if (item.entity === 'ack') out.acks.push({ sequenceNumber, eventId: z.string().parse(item.eventId) });
      else out.events.push({ sequenceNumber, event: toEvent(item) });
    } catch (err) {
      out.invalid.push({
        sequenceNumber,
        reason: err instanceof z.ZodError ? 'not a valid change event' : 'image cannot be unmarshalled',
      });
    }
  }
  return out;
}
