/**
 * The ack outbox item (PK EVENT#{id}, SK ACK; written by lib/store/ack.ts) as the notifier reads and
 * records it. Apart from the write so that the notifier's bundle holds no transaction.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Ack } from '../model/ack.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { record, type Store, writeOne } from './client.ts';
import { type Item, toEvent } from './items.ts';
import { keys } from './table.ts';

export const ACK_SK = 'ACK';

const eventKey = (id: string) => ({ PK: keys.eventPk(id), SK: keys.eventSk() });
const ackKey = (id: string) => ({ PK: keys.eventPk(id), SK: ACK_SK });

async function getItem(store: Store, key: Record<string, string>): Promise<Item | null> {
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: key,
      ConsistentRead: true,
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  record(store.meter, 'read', out.ConsumedCapacity);
  return out.Item ?? null;
}

/** The event item as it is now (strongly consistent), with its delivery map; null when absent. */
export async function readEvent(
  store: Store,
  eventId: string,
): Promise<(ChangeEvent & { delivery?: unknown }) | null> {
  const item = await getItem(store, eventKey(eventId));
  return item ? toEvent(item) : null;
}

/** The ack outbox item: the acknowledgement and its per-channel delivery records. */
export interface StoredAck extends Ack {
  eventId: string;
  delivery: unknown;
}

export async function readAck(store: Store, eventId: string): Promise<StoredAck | null> {
  const item = await getItem(store, ackKey(eventId));
  if (!item) return null;
  return {
    eventId,
    acknowledgedBy: String(item.acknowledgedBy ?? ''),
    acknowledgedAt: String(item.acknowledgedAt ?? ''),
    ackNote: typeof item.ackNote === 'string' ? item.ackNote : null,
    delivery: item.delivery,
  };
}

/**
 * One channel's record on the ack item, under the same rule as an event's (lib/store/delivery.ts):
 * the first completed record wins, and a gone item is not re-created. False when the condition failed.
 */
export async function recordAckDelivery(
  store: Store,
  eventId: string,
  channel: string,
  rec: Readonly<Record<string, unknown>> & { status: string },
): Promise<boolean> {
  const parked = rec.status === 'failed';
  try {
    await writeOne(store, () =>
      store.doc.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: ackKey(eventId),
          UpdateExpression: `SET #d.#ch = :rec${parked ? ', deliveryState = :failed' : ''}`,
          ConditionExpression: 'attribute_exists(PK) AND NOT (#d.#ch.#st IN (:sent, :suppressed))',
          ExpressionAttributeNames: { '#d': 'delivery', '#ch': channel, '#st': 'status' },
          ExpressionAttributeValues: {
            ':rec': rec,
            ':sent': 'sent',
            ':suppressed': 'suppressed',
            ...(parked ? { ':failed': 'failed' } : {}),
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    return true;
  } catch (err) {
    if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}
