/**
 * The notifier's reads and writes in the table: delivery records on event items, the history a
 * flap decision needs, and the failed events `redeliver --failed` retries.
 *
 * Delivery records live on the event item itself (`delivery.{channel}`), not in items of their own:
 * the event and whether it reached each channel are read together in one GetItem, and they expire
 * together with the item's TTL.
 */
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../errors.ts';
import type { ChangeEvent, HistoryVersion } from '../model/schemas.ts';
import { record as meter, type Store } from '../store/client.ts';
import { type Item, toEvent } from '../store/items.ts';
import { listHistory } from '../store/query.ts';
import { GSI1, keys } from '../store/table.ts';
import type { FlapPolicy } from './config.ts';
import { historyIsEnough } from './flap.ts';
import { type DeliveryMap, type DeliveryRecord, type DeliveryState, parseDelivery } from './record.ts';

export interface StoredDelivery {
  delivery: DeliveryMap;
  deliveryState: string | null;
}

const key = (eventId: string) => ({ PK: keys.eventPk(eventId), SK: keys.eventSk() });

/**
 * Current delivery records of events, read strongly consistent: the stream image is the item as
 * inserted, so only the table says what an earlier attempt already delivered. Missing ids (expired
 * or never written) are absent from the map.
 */
export async function loadDelivery(
  store: Store,
  eventIds: readonly string[],
): Promise<Map<string, StoredDelivery>> {
  const out = new Map<string, StoredDelivery>();
  for (let i = 0; i < eventIds.length; i += 100) {
    let request: BatchGetCommandInput['RequestItems'] | undefined = {
      [store.tableName]: {
        Keys: eventIds.slice(i, i + 100).map(key),
        ConsistentRead: true,
        ProjectionExpression: '#pk, #d, #s',
        ExpressionAttributeNames: { '#pk': 'PK', '#d': 'delivery', '#s': 'deliveryState' },
      },
    };
    for (let round = 0; request && round < 10; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
      const res: BatchGetCommandOutput = await store.doc.send(
        new BatchGetCommand({ RequestItems: request, ReturnConsumedCapacity: 'TOTAL' }),
      );
      meter(store.meter, 'read', res.ConsumedCapacity);
      for (const item of res.Responses?.[store.tableName] ?? []) {
        const id = String(item.PK).slice('EVENT#'.length);
        out.set(id, {
          delivery: parseDelivery(item.delivery),
          deliveryState: typeof item.deliveryState === 'string' ? item.deliveryState : null,
        });
      }
      const left = res.UnprocessedKeys?.[store.tableName];
      request = left?.Keys?.length ? { [store.tableName]: left } : undefined;
    }
    if (request) throw new StoreError('DynamoDB left event keys unprocessed after 10 rounds');
  }
  return out;
}

const isCondition = (err: unknown): boolean =>
  err instanceof Error && err.name === 'ConditionalCheckFailedException';
/** SET on `delivery.x` fails this way when the item has no `delivery` map yet. */
const isMissingMap = (err: unknown): boolean =>
  err instanceof Error && err.name === 'ValidationException' && /document path/i.test(err.message);

async function update(
  store: Store,
  input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'ReturnConsumedCapacity'>,
): Promise<void> {
  store.beforeWrite?.(1);
  const out = await store.doc.send(
    new UpdateCommand({ ...input, TableName: store.tableName, ReturnConsumedCapacity: 'TOTAL' }),
  );
  store.meter.itemWrites += 1;
  meter(store.meter, 'write', out.ConsumedCapacity);
}

/**
 * Writes one channel's record on the event item: `SET delivery.#ch = :rec`, with
 * `deliveryState = 'failed'` alongside when the record parks the channel.
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
  rec: DeliveryRecord,
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
export async function setDeliveryState(store: Store, eventId: string, state: DeliveryState): Promise<void> {
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

const MAX_HISTORY_PAGES = 4;

/**
 * The connection's history up to the event's time, newest first, as far back as the flap window
 * and the recovered failure need (at most 100 versions).
 */
export async function loadHistoryFor(
  store: Store,
  e: ChangeEvent,
  policy: FlapPolicy | null,
): Promise<HistoryVersion[]> {
  const out: HistoryVersion[] = [];
  // A target-level event (DELETIONS_HELD) has no connection, hence no history.
  if (e.connectionId === null) return out;
  let cursor: string | null = null;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const res: Awaited<ReturnType<typeof listHistory>> = await listHistory(store, e.connectionId, {
      to: e.detectedAt,
      order: 'desc',
      limit: 25,
      cursor,
    });
    out.push(...res.items);
    if (!res.cursor || historyIsEnough(e, out, policy)) break;
    cursor = res.cursor;
  }
  return out;
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
  let start: Record<string, unknown> | undefined;
  do {
    const res = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK BETWEEN :lo AND :hi',
        FilterExpression: '#state = :failed',
        ExpressionAttributeNames: { '#state': 'deliveryState' },
        ExpressionAttributeValues: {
          ':pk': keys.eventsGsiPk(),
          ':lo': range.from ?? '0',
          ':hi': `${range.to ?? ''}~`,
          ':failed': 'failed',
        },
        ExclusiveStartKey: start,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    meter(store.meter, 'read', res.ConsumedCapacity);
    out.push(...((res.Items ?? []) as Item[]).map(toEvent));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}
