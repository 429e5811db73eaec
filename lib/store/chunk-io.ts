/**
 * Chunk items in and out (the shell around lib/store/layout.ts). Chunks are written before the
 * transaction that references them: immutable and content-addressed, so writing one twice is harmless,
 * and a crash before the transaction leaves only unreferenced chunks, which their TTL removes.
 */
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type BatchGetCommandOutput,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../concurrency.ts';
import { StoreError } from '../errors.ts';
import type { Chunk } from './chunking.ts';
import { record, type Store } from './client.ts';
import { chunkItem, type Item } from './items.ts';
import { assemble, neededChunks } from './layout.ts';
import { writeUnits } from './size.ts';
import { keys } from './table.ts';

const PUTS_IN_FLIGHT = 8;
const BATCH_GET_KEYS = 100;

/** What a stored state item says about its chunks: which exist, and until when at least. */
export interface StoredChunks {
  hashes: ReadonlySet<string>;
  /** Epoch seconds; every chunk of the newest version lives at least this long. */
  expiresAt: number;
}

// Keyed by the Connection object the read returned: the diff hands that same object back as a
// change's `previous`, so the write knows which chunks already exist without a field in the model.
const remembered = new WeakMap<object, StoredChunks>();

export const storedChunksOf = (c: object): StoredChunks | undefined => remembered.get(c);

export function rememberChunks(c: object, item: Item): void {
  const hashes = new Set([
    ...neededChunks(item),
    ...(Array.isArray(item.rawChunkRefs) ? (item.rawChunkRefs as string[]) : []),
  ]);
  if (hashes.size > 0 && typeof item.chunksExpireAt === 'number')
    remembered.set(c, { hashes, expiresAt: item.chunksExpireAt });
}

/**
 * Writes chunks with a TTL of at least `expiresAt`. The condition keeps a TTL from moving backwards
 * (a slower writer with an older clock); a chunk that already lives long enough is left as it is.
 */
export async function putChunks(
  store: Store,
  connectionId: string,
  chunks: readonly Chunk[],
  expiresAt: number,
): Promise<void> {
  await mapLimit(chunks, PUTS_IN_FLIGHT, async (c) => {
    const item = chunkItem(connectionId, c.hash, c.data, expiresAt);
    store.beforeWrite?.(1);
    try {
      const out = await store.doc.send(
        new PutCommand({
          TableName: store.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :e',
          ExpressionAttributeValues: { ':e': expiresAt },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      record(store.meter, 'write', out.ConsumedCapacity);
    } catch (err) {
      if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
    }
    // A refused conditional put is still billed for the item's size.
    store.meter.itemWrites += 1;
    store.meter.estimatedWriteUnits += writeUnits(item, false);
  });
}

type Key = { PK: string; SK: string };

/** Rounds of BatchGetItem for one call's keys before the unprocessed rest is an error. */
const BATCH_GET_ROUNDS = 10;

/** What to read of each item: ExpressionAttributeNames keyed `#…`, e.g. `{ '#d': 'delivery' }`. */
export type Projection = Record<string, string>;

/**
 * The one BatchGetItem over any number of keys: 100 a call, unprocessed keys retried with backoff
 * (DynamoDB returns them under load; backing off is what its documentation asks for).
 */
export async function batchGet(
  store: Store,
  keyList: readonly Key[],
  consistent: boolean,
  projection?: Projection,
): Promise<Item[]> {
  const out: Item[] = [];
  const shape = projection
    ? { ProjectionExpression: Object.keys(projection).join(', '), ExpressionAttributeNames: projection }
    : {};
  for (let i = 0; i < keyList.length; i += BATCH_GET_KEYS) {
    let request: BatchGetCommandInput['RequestItems'] | undefined = {
      [store.tableName]: { Keys: keyList.slice(i, i + BATCH_GET_KEYS), ConsistentRead: consistent, ...shape },
    };
    for (let round = 0; request; round++) {
      if (round >= BATCH_GET_ROUNDS)
        throw new StoreError(
          `DynamoDB kept returning unprocessed keys: still unprocessed after ${BATCH_GET_ROUNDS} BatchGetItem rounds`,
        );
      if (round > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** round)));
      const res: BatchGetCommandOutput = await store.doc.send(
        new BatchGetCommand({ RequestItems: request, ReturnConsumedCapacity: 'TOTAL' }),
      );
      record(store.meter, 'read', res.ConsumedCapacity);
      out.push(...((res.Responses?.[store.tableName] ?? []) as Item[]));
      const left = res.UnprocessedKeys?.[store.tableName];
      request = left?.Keys?.length ? { [store.tableName]: left } : undefined;
    }
  }
  return out;
}

/** Stored items with their chunks read back and put in place (items without chunks cost no read). */
export async function hydrate(store: Store, items: readonly Item[]): Promise<Item[]> {
  const wanted = new Map<string, Key>();
  for (const item of items) {
    const pk = keys.historyPk(String(item.id));
    for (const h of neededChunks(item)) wanted.set(`${pk}\u0000${h}`, { PK: pk, SK: keys.chunkSk(h) });
  }
  if (wanted.size === 0) return [...items];
  // Content-addressed: one hash is one content, whichever connection it came from.
  const data = new Map<string, string>();
  const got = new Set<string>();
  const take = (c: Item): void => {
    data.set(String(c.SK).slice('CHUNK#'.length), String(c.data));
    got.add(`${String(c.PK)}\u0000${String(c.SK).slice('CHUNK#'.length)}`);
  };
  for (const c of await batchGet(store, [...wanted.values()], false)) take(c);
  // Chunks are written just before the item that references them; an eventually consistent read
  // may not see a new one yet, a strongly consistent one does.
  const missing = [...wanted].flatMap(([k, key]) => (got.has(k) ? [] : [key]));
  if (missing.length > 0) for (const c of await batchGet(store, missing, true)) take(c);
  return items.map((item) => (neededChunks(item).length > 0 ? assemble(item, data) : item));
}
