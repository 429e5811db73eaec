/**
 * What `dli-sync redeliver` needs of the ack outbox items (PK EVENT#{id}, SK ACK): which of them are
 * parked (`deliveryState = 'failed'`), and the mark that a parked one was delivered after all.
 *
 * Ack items carry no index keys. An ack exists only for an acknowledged event, and events are
 * already listed by GSI1 (EVENTS / {detectedAt}#{id}): so one Query over the range for events with
 * `acknowledgedAt` set (filtered: it reads every event in the range, as findFailedEvents does), then
 * one BatchGetItem of their ack items. The range is the alert's detection time, not the ack's.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACK_SK } from './ack-outbox.ts';
import { batchGet } from './chunk-io.ts';
import { type Store, writeOne } from './client.ts';
import { queryPage } from './query.ts';
import { GSI1, keys } from './table.ts';

/** Ids of the events whose acknowledgement is parked on some channel, oldest first. */
export async function findFailedAcks(
  store: Store,
  range: { from?: string | undefined; to?: string | undefined },
): Promise<string[]> {
  const page = await queryPage(
    store,
    {
      IndexName: GSI1,
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi',
      // Items may carry acknowledgedAt = null (written by a model that names the field).
      FilterExpression: 'attribute_exists(acknowledgedAt) AND acknowledgedAt <> :null',
      ProjectionExpression: 'id',
      ExpressionAttributeValues: {
        ':pk': keys.eventsGsiPk(),
        ':lo': range.from ?? '0',
        ':hi': `${range.to ?? ''}~`,
        ':null': null,
      },
    },
    { limit: undefined, cursor: null },
  );
  const acked = page.items.map((i) => String(i.id));
  if (acked.length === 0) return [];
  const acks = await batchGet(
    store,
    acked.map((id) => ({ PK: keys.eventPk(id), SK: ACK_SK })),
    true,
    { '#e': 'eventId', '#state': 'deliveryState' },
  );
  const parked = new Set(acks.filter((a) => a.deliveryState === 'failed').map((a) => String(a.eventId)));
  return acked.filter((id) => parked.has(id));
}

/** A parked ack delivered by redeliver leaves the parked list (the record itself says `sent`). */
export async function markAckDelivered(store: Store, eventId: string): Promise<void> {
  try {
    await writeOne(store, () =>
      store.doc.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: { PK: keys.eventPk(eventId), SK: ACK_SK },
          UpdateExpression: 'SET deliveryState = :delivered',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':delivered': 'delivered' },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
  } catch (err) {
    if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
  }
}
