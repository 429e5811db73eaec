/**
 * What inhibition (lib/notify/inhibit.ts) needs of the store: which connections of a batch's
 * failures are deleted now, with their deletion event; and the `inhibitedBy` mark on an event.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { eventId } from '../model/event-id.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { DELETED } from '../model/status.ts';
import { batchGet } from './chunk-io.ts';
import { type Store, writeOne } from './client.ts';
import { keys } from './table.ts';

/**
 * connection id → its deletion, for the failures' connections that are DELETED now. The deletion
 * event's id is recomputed from the tombstone's version (event ids are deterministic) and kept only
 * if that event exists: when in doubt, nothing is inhibited and the failure is sent.
 */
export async function storedDeletions(
  store: Store,
  events: readonly ChangeEvent[],
): Promise<Map<string, { eventId: string; version: number }>> {
  const conns = new Map<string, ChangeEvent>();
  for (const e of events) if (e.type === 'PEERING_FAILED' && e.connectionId) conns.set(e.connectionId, e);
  if (conns.size === 0) return new Map();
  const states = await batchGet(
    store,
    [...conns.values()].map((e) => ({ PK: keys.targetPk(e), SK: keys.stateSk(e.connectionId ?? '') })),
    true,
    { '#id': 'id', '#s': 'status', '#v': 'version' },
  );
  const candidates = states
    .filter((s) => s.status === DELETED && typeof s.version === 'number')
    .map((s) => ({
      connectionId: String(s.id),
      version: s.version as number,
      eventId: eventId('CONNECTION_DELETED', String(s.id), null, null, s.version as number),
    }));
  if (candidates.length === 0) return new Map();
  const found = await batchGet(
    store,
    candidates.map((c) => ({ PK: keys.eventPk(c.eventId), SK: keys.eventSk() })),
    false,
    { '#id': 'id' },
  );
  const exists = new Set(found.map((f) => String(f.id)));
  return new Map(
    candidates
      .filter((c) => exists.has(c.eventId))
      .map((c) => [c.connectionId, { eventId: c.eventId, version: c.version }]),
  );
}

/** Records on the event which event stands for it. The first mark stays; a gone event is not re-created. */
export async function markInhibited(store: Store, id: string, by: string): Promise<void> {
  try {
    await writeOne(store, () =>
      store.doc.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: { PK: keys.eventPk(id), SK: keys.eventSk() },
          UpdateExpression: 'SET inhibitedBy = :by',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(inhibitedBy)',
          ExpressionAttributeValues: { ':by': by },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
  } catch (err) {
    if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
  }
}
