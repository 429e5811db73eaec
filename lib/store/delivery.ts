/**
 * Delivery records on event items: what the notifier (lib/notify/deliver.ts) reads and writes in
 * the table, and the failed events `redeliver --failed` retries. The store knows their place and
 * the conditions that keep concurrent deliverers apart; lib/notify/record.ts knows what they mean.
 *
 * Delivery records live on the event item itself (`delivery.{channel}`), not in items of their own:
 * the event and whether it reached each channel are read together in one GetItem, and they expire
 * together with the item's TTL.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChangeEvent } from '../model/schemas.ts';
import { batchGet } from './chunk-io.ts';
import { type Store, writeOne } from './client.ts';
import { toEvent } from './items.ts';
import { queryPage } from './query.ts';
import { REMINDERS_GSI_PK } from './reminders.ts';
import { GSI1, keys } from './table.ts';

/** An event's delivery attributes as stored; lib/notify/record.ts parses them. */
export interface StoredDelivery {
  delivery: unknown;
  deliveryState: string | null;
  /** The silence that held the event (lib/notify/silenced.ts); null when none did. */
  silencedBy: string | null;
}

/** What the store needs of a record: whether it is done (sent, suppressed) or parks the channel. */
export type DeliveryWrite = Readonly<Record<string, unknown>> & { status: string };

const key = (eventId: string) => ({ PK: keys.eventPk(eventId), SK: keys.eventSk() });

/**
 * Current delivery attributes of events, read strongly consistent: the stream image is the item as
 * inserted, so only the table says what an earlier attempt already delivered. Missing ids (expired
 * or never written) are absent from the map.
 */
export async function loadDelivery(
  store: Store,
  eventIds: readonly string[],
): Promise<Map<string, StoredDelivery>> {
  // The event's own `id` attribute (every event item has it), so no key is parsed back.
  const items = await batchGet(store, eventIds.map(key), true, {
    '#id': 'id',
    '#d': 'delivery',
    '#s': 'deliveryState',
    '#sb': 'silencedBy',
  });
  return new Map(
    items.map((item) => [
      String(item.id),
      {
        delivery: item.delivery,
        deliveryState: typeof item.deliveryState === 'string' ? item.deliveryState : null,
        silencedBy: typeof item.silencedBy === 'string' ? item.silencedBy : null,
      },
    ]),
  );
}

const isCondition = (err: unknown): boolean =>
  err instanceof Error && err.name === 'ConditionalCheckFailedException';
/** SET on `delivery.x` fails this way when the item has no `delivery` map yet. */
const isMissingMap = (err: unknown): boolean =>
  err instanceof Error && err.name === 'ValidationException' && /document path/i.test(err.message);

const update = (
  store: Store,
  input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'ReturnConsumedCapacity'>,
) =>
  writeOne(store, () =>
    store.doc.send(
      new UpdateCommand({ ...input, TableName: store.tableName, ReturnConsumedCapacity: 'TOTAL' }),
    ),
  );

/**
 * Writes one channel's record on the event item: `SET delivery.#ch = :rec`, with
 * `deliveryState = 'failed'` alongside when the record parks the channel (status `failed`).
 *
 * The condition `NOT (delivery.#ch.status IN ('sent','suppressed'))` makes the first completed
 * record win: when two deliverers race (a Lambda retry and `dli-sync redeliver`, say), the second
 * neither overwrites the first's record nor downgrades a sent channel to failed. Their posts may
 * both have gone out; DingTalk's msgUuid and the webhook's Idempotency-Key let the receiver drop
 * the second. `attribute_exists(PK)` keeps an expired event from being re-created as a stub.
 *
 * Event items are written without a `delivery` map, and DynamoDB cannot SET a path under a missing
 * map, so the first record of an event creates the map (conditionally: if a concurrent writer
 * created it first, the path SET is tried again).
 *
 * Returns false when the condition failed: the channel was already done, or the event is gone.
 */
export async function recordDelivery(
  store: Store,
  eventId: string,
  channel: string,
  rec: DeliveryWrite,
): Promise<boolean> {
  const parked = rec.status === 'failed';
  const values = {
    ':rec': rec,
    ':sent': 'sent',
    ':suppressed': 'suppressed',
    ...(parked ? { ':failed': 'failed' } : {}),
  };
  for (let round = 0; round < 3; round++) {
    try {
      await update(store, {
        Key: key(eventId),
        UpdateExpression: `SET #d.#ch = :rec${parked ? ', #state = :failed' : ''}`,
        ConditionExpression: 'attribute_exists(PK) AND NOT (#d.#ch.#st IN (:sent, :suppressed))',
        ExpressionAttributeNames: {
          '#d': 'delivery',
          '#ch': channel,
          '#st': 'status',
          ...(parked ? { '#state': 'deliveryState' } : {}),
        },
        ExpressionAttributeValues: values,
      });
      return true;
    } catch (err) {
      if (isCondition(err)) return false;
      if (!isMissingMap(err)) throw err;
    }
    try {
      await update(store, {
        Key: key(eventId),
        UpdateExpression: `SET #d = :map${parked ? ', #state = :failed' : ''}`,
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#d)',
        ExpressionAttributeNames: { '#d': 'delivery', ...(parked ? { '#state': 'deliveryState' } : {}) },
        ExpressionAttributeValues: { ':map': { [channel]: rec }, ...(parked ? { ':failed': 'failed' } : {}) },
      });
      return true;
    } catch (err) {
      if (!isCondition(err)) throw err;
      // Either the event is gone or another writer created the map: the next round tells which.
    }
  }
  return false;
}

/** Marks a once-failed event delivered again (after `redeliver`), so `--failed` no longer finds it. */
export async function setDeliveryState(store: Store, eventId: string, state: string): Promise<void> {
  try {
    await update(store, {
      Key: key(eventId),
      UpdateExpression: 'SET #state = :s',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#state': 'deliveryState' },
      ExpressionAttributeValues: { ':s': state },
    });
  } catch (err) {
    if (!isCondition(err)) throw err;
  }
}

/**
 * Events parked as undelivered, oldest first. GSI1 (EVENTS / {detectedAt}#{id}) is already the
 * events list, so there is no sparse index for failures: this is a Query over the time range with
 * a filter on `deliveryState`. It reads every event in the range (filtered items still cost read
 * units), so give a range when the table is large.
 */
export async function findFailedEvents(
  store: Store,
  range: { from?: string | undefined; to?: string | undefined },
): Promise<ChangeEvent[]> {
  const out: ChangeEvent[] = [];
  // Reminders are outbox items too, indexed apart from events (lib/store/reminders.ts).
  for (const pk of [keys.eventsGsiPk(), REMINDERS_GSI_PK]) {
    const page = await queryPage(
      store,
      {
        IndexName: GSI1,
        KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi',
        FilterExpression: '#state = :failed',
        ExpressionAttributeNames: { '#state': 'deliveryState' },
        ExpressionAttributeValues: {
          ':pk': pk,
          ':lo': range.from ?? '0',
          ':hi': `${range.to ?? ''}~`,
          ':failed': 'failed',
        },
      },
      {},
    );
    out.push(...page.items.map(toEvent));
  }
  return out;
}
