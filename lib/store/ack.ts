/**
 * Acknowledgements (`dli-sync ack`, `POST /events/{id}/ack`): the ack attributes on the event item
 * and, in the same transaction, an ack outbox item the notifier turns into "acknowledged" messages
 * (lib/notify/ack-deliver.ts).
 *
 * The outbox item shares the event's partition key (PK EVENT#{id}, SK ACK), so the table's stream
 * hands it to the notifier after the event's own INSERT (one partition, one shard, in order): the
 * event's deliveries are settled by the time its ack is sent. It is created with an empty
 * `delivery` map, so recording a channel is one conditional SET.
 *
 * Acknowledging twice keeps the FIRST acknowledgement. The paging tools already took the first
 * one (with its name), reminders key on `acknowledgedAt`, and a retried CLI call or API request must
 * not send a second "acknowledged" message or move the time; the second caller is told who was first.
 */
import { type Ack, isAckable } from '../model/ack.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { ACK_SK, readEvent } from './ack-outbox.ts';
import type { Store } from './client.ts';
import { expiry } from './items.ts';
import { keys, TTL_ATTRIBUTE } from './table.ts';
import { transact } from './transact.ts';

export type AckResult =
  | { status: 'acknowledged' | 'already' | 'not-ackable'; event: ChangeEvent }
  | { status: 'missing' };

const eventKey = (id: string) => ({ PK: keys.eventPk(id), SK: keys.eventSk() });
const ackKey = (id: string) => ({ PK: keys.eventPk(id), SK: ACK_SK });

/** `visible`: events outside it count as missing and are not written (the API's target scope). */
export async function acknowledgeEvent(
  store: Store,
  eventId: string,
  ack: Ack,
  visible: (e: ChangeEvent) => boolean = () => true,
): Promise<AckResult> {
  const event = await readEvent(store, eventId);
  if (!event || !visible(event)) return { status: 'missing' };
  if (!isAckable(event.type)) return { status: 'not-ackable', event };
  if (event.acknowledgedAt) return { status: 'already', event };
  const values = { ...ack };
  try {
    // The store's one metered TransactWriteItems (write.ts).
    await transact(store, [
      {
        Update: {
          TableName: store.tableName,
          Key: eventKey(eventId),
          UpdateExpression: 'SET acknowledgedBy = :by, acknowledgedAt = :at, ackNote = :note',
          // Items may carry acknowledgedAt = null (written by a model that names the field).
          ConditionExpression:
            'attribute_exists(PK) AND (attribute_not_exists(acknowledgedAt) OR acknowledgedAt = :null)',
          ExpressionAttributeValues: {
            ':by': values.acknowledgedBy,
            ':at': values.acknowledgedAt,
            ':note': values.ackNote,
            ':null': null,
          },
        },
      },
      {
        Put: {
          TableName: store.tableName,
          Item: {
            ...ackKey(eventId),
            entity: 'ack',
            eventId,
            ...values,
            delivery: {},
            // Lives as long as the event it acknowledges.
            [TTL_ATTRIBUTE]: expiry(event.detectedAt, store.retentionDays),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ]);
  } catch (err) {
    if (!(err instanceof Error && err.name === 'TransactionCanceledException')) throw err;
    // A concurrent acknowledgement won (or the event expired in between): report what is there now.
    const now = await readEvent(store, eventId);
    return now ? { status: 'already', event: now } : { status: 'missing' };
  }
  return { status: 'acknowledged', event: { ...event, ...values } };
}
