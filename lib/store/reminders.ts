/**
 * Reminder items: outbox items like events (PK EVENT#{id}, entity `event`, so the stream feeds them
 * to the notifier and delivery records, parking and `redeliver` work unchanged), but indexed under
 * GSI1PK `REMINDERS` instead of `EVENTS`: a reminder is not a change, so `events` does not list it.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type ChangeEvent, ChangeEventSchema } from '../model/schemas.ts';
import { type Store, writeOne } from './client.ts';
import { eventItem, toEvent } from './items.ts';
import { queryPage } from './query.ts';
import { GSI1 } from './table.ts';

export const REMINDERS_GSI_PK = 'REMINDERS';

/**
 * Writes a reminder once: its id is deterministic (alert + interval, or silence + alert), and
 * `attribute_not_exists(PK)` makes a second run, a retry after a crash, or a concurrent tick a
 * no-op instead of a second message. Returns false when it already existed.
 */
export async function putReminder(store: Store, e: ChangeEvent): Promise<boolean> {
  try {
    await writeOne(store, () =>
      store.doc.send(
        new PutCommand({
          TableName: store.tableName,
          // Only the model's fields: a reminder built from a stored alert would otherwise carry the
          // alert's delivery map, and every channel the alert reached would count it as sent already.
          Item: { ...eventItem(ChangeEventSchema.parse(e), store.retentionDays), GSI1PK: REMINDERS_GSI_PK },
          ConditionExpression: 'attribute_not_exists(PK)',
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

/** Reminders made since `since` (ISO), oldest first. */
export async function listRemindersSince(store: Store, since: string): Promise<ChangeEvent[]> {
  const page = await queryPage(
    store,
    {
      IndexName: GSI1,
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK >= :since',
      ExpressionAttributeValues: { ':pk': REMINDERS_GSI_PK, ':since': since },
    },
    { limit: undefined, cursor: null },
  );
  return page.items.map(toEvent);
}
