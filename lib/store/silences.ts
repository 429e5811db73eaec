/**
 * Silences (lib/model/silence.ts) in the table: one partition, PK `SILENCES`, SK `SILENCE#{id}`.
 * There are few (people make them by hand), so every reader queries the whole partition; an
 * expired silence stays readable until its TTL (endsAt + retention), because the notifier decides
 * at each event's detectedAt, and a retried or later delivery must decide the same.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Silence, SilenceSchema } from '../model/silence.ts';
import { record, type Store, writeOne } from './client.ts';
import { expiry, type Item } from './items.ts';
import { queryPage } from './query.ts';
import { keys, TTL_ATTRIBUTE } from './table.ts';

const PK = 'SILENCES';
const sk = (id: string): string => `SILENCE#${id}`;

const isCondition = (err: unknown): boolean =>
  err instanceof Error && err.name === 'ConditionalCheckFailedException';

/**
 * `sil_` + the creation time in base36 (fixed width, so ids sort by creation) + 8 random base32-ish
 * characters: two silences made in the same millisecond still differ.
 */
export function newSilenceId(now: number): string {
  const time = now.toString(36).padStart(9, '0');
  const rand = randomBytes(5).toString('base64url').toLowerCase().replace(/[-_]/g, 'x');
  return `sil_${time}${rand}`;
}

const toSilence = (item: Item): Silence => SilenceSchema.parse(item);

/**
 * Writes a new silence. `attribute_not_exists(PK)`: an id is random, and a collision must fail
 * loudly rather than replace someone else's silence (it is then simply tried with a new id).
 */
export async function putSilence(store: Store, s: Silence): Promise<void> {
  await writeOne(store, () =>
    store.doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          PK,
          SK: sk(s.id),
          entity: 'silence',
          ...s,
          [TTL_ATTRIBUTE]: expiry(s.endsAt, store.retentionDays),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
}

/** Silences ending after `endingAfter` (all when absent), oldest first. */
export async function listSilences(store: Store, opts: { endingAfter?: string } = {}): Promise<Silence[]> {
  const page = await queryPage(
    store,
    {
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: {
        ':pk': PK,
        ...(opts.endingAfter ? { ':t': opts.endingAfter } : {}),
      },
      ...(opts.endingAfter
        ? { FilterExpression: '#e > :t', ExpressionAttributeNames: { '#e': 'endsAt' } }
        : {}),
      // The notifier reads right after a person adds a silence: eventually consistent could miss it.
      ConsistentRead: true,
    },
    { limit: undefined, cursor: null },
  );
  return page.items.map(toSilence);
}

export async function getSilence(store: Store, id: string): Promise<Silence | null> {
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { PK, SK: sk(id) },
      ConsistentRead: true,
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  record(store.meter, 'read', out.ConsumedCapacity);
  return out.Item ? toSilence(out.Item) : null;
}

/**
 * Ends a silence now: `endsAt = now`, only if it exists and has not ended yet (the condition keeps
 * an expire from moving an already past end forward, and from creating an item for an unknown id).
 * Returns the silence as it is afterwards, or null for an unknown id.
 */
export async function expireSilence(store: Store, id: string, now: string): Promise<Silence | null> {
  try {
    const out = await writeOne(store, () =>
      store.doc.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: { PK, SK: sk(id) },
          UpdateExpression: 'SET #e = :now, #ttl = :ttl',
          ConditionExpression: 'attribute_exists(PK) AND #e > :now',
          ExpressionAttributeNames: { '#e': 'endsAt', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': now, ':ttl': expiry(now, store.retentionDays) },
          ReturnValues: 'ALL_NEW',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    return out.Attributes ? toSilence(out.Attributes) : null;
  } catch (err) {
    if (!isCondition(err)) throw err;
    return getSilence(store, id);
  }
}

/**
 * Records on the event item that a silence held it: `silencedBy = :id`. The first decision wins
 * (the attribute is absent, or NULL as the sync writes it), so a later delivery never relabels it;
 * `attribute_exists(PK)` keeps an expired event from coming back as a stub. Returns false when the
 * condition failed (already marked, or gone).
 */
export async function markSilenced(store: Store, eventId: string, silenceId: string): Promise<boolean> {
  try {
    await writeOne(store, () =>
      store.doc.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: { PK: keys.eventPk(eventId), SK: keys.eventSk() },
          UpdateExpression: 'SET #sb = :id',
          ConditionExpression:
            'attribute_exists(PK) AND (attribute_not_exists(#sb) OR attribute_type(#sb, :null))',
          ExpressionAttributeNames: { '#sb': 'silencedBy' },
          ExpressionAttributeValues: { ':id': silenceId, ':null': 'NULL' },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    return true;
  } catch (err) {
    if (isCondition(err)) return false;
    throw err;
  }
}
