/**
 * Every read the sync, the CLI and the API make. All are Query or GetItem by key; no Scan.
 */

import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { mapLimit } from '../concurrency.ts';
import { BadRequestError, StoreError } from '../errors.ts';
import type { ChangeEvent, Connection, HistoryVersion, RunRecord, Target } from '../model/schemas.ts';
import { DELETED } from '../model/status.ts';
import { targetLabel } from '../model/target.ts';
import { connectionId, decodeCursor, encodeCursor, INVALID_CURSOR, parseRequest } from '../validate.ts';
import { batchGet, hydrate, rememberChunks } from './chunk-io.ts';
import { record, type Store } from './client.ts';
import { type Item, toConnection, toEvent, toHistory, toRun } from './items.ts';
import { neededChunks } from './layout.ts';
import { GSI1, keys } from './table.ts';

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  cursor: string | null;
}

export interface PageRequest {
  limit?: number;
  cursor?: string | null;
  /**
   * Also end the page before its items' JSON passes this many bytes (at least one item): an HTTP
   * response has a size cap (Lambda: 6 MB), and one connection with 20,000 hosts is ~3 MB.
   */
  maxBytes?: number;
}

/**
 * Every key attribute of the table and its index is a string (lib/store/table.ts). Anything else
 * would fail in the SDK's marshalling (e.g. a number past 2^53) before DynamoDB could refuse it.
 */
const StartKey = z.record(z.string(), z.string());

const ConnectionId = connectionId('connection id');

/**
 * The one paged Query: one page of up to `limit` items, or all pages when `limit` is undefined;
 * every page metered, a caller's cursor that DynamoDB refuses is a bad request.
 */
export async function queryPage(
  store: Store,
  input: Omit<QueryCommandInput, 'TableName'>,
  page: PageRequest,
): Promise<Page<Item>> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined = page.cursor
    ? decodeCursor(page.cursor, StartKey)
    : undefined;
  let fromCaller = startKey !== undefined;
  do {
    const out = await store.doc
      .send(
        new QueryCommand({
          ...input,
          TableName: store.tableName,
          ExclusiveStartKey: startKey,
          ...(page.limit ? { Limit: page.limit - items.length } : {}),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      )
      .catch((err: unknown) => {
        // A cursor that decodes to JSON but not to a key of this query (hand-made, or from another
        // query) is the caller's mistake, not a server error: DynamoDB refuses it as a start key.
        if (fromCaller && err instanceof Error && err.name === 'ValidationException')
          throw new BadRequestError(INVALID_CURSOR);
        throw err;
      });
    fromCaller = false;
    record(store.meter, 'read', out.ConsumedCapacity);
    items.push(...((out.Items ?? []) as Item[]));
    startKey = out.LastEvaluatedKey;
  } while (startKey && (page.limit === undefined || items.length < page.limit));
  return { items, cursor: startKey ? encodeCursor(startKey) : null };
}

const all = { limit: undefined, cursor: null } as const;

/** Stored state items → connections, chunks read back; each remembers its chunks for the next write. */
async function connectionsOf(store: Store, items: readonly Item[]): Promise<Connection[]> {
  const whole = await hydrate(store, items);
  return whole.map((w, i) => {
    const c = toConnection(w);
    rememberChunks(c, items[i] as Item);
    return c;
  });
}

/**
 * Cuts a page at `maxBytes` of JSON: the cursor then resumes after the last item kept (a Query's
 * ExclusiveStartKey is just that item's key). `keyNames` are the query's key attributes.
 */
function boundPage<T>(
  items: readonly T[],
  stored: readonly Item[],
  cursor: string | null,
  maxBytes: number | undefined,
  keyNames: readonly string[] = ['PK', 'SK'],
): Page<T> {
  if (maxBytes === undefined) return { items: [...items], cursor };
  let bytes = 0;
  let n = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item));
    if (n > 0 && bytes + size > maxBytes) break;
    bytes += size;
    n++;
  }
  if (n === items.length) return { items: [...items], cursor };
  const last = stored[n - 1] as Item;
  return {
    items: items.slice(0, n),
    cursor: encodeCursor(Object.fromEntries(keyNames.map((k) => [k, last[k]]))),
  };
}

/** Current stored state of one target, tombstones included, as the diff needs it. */
export async function loadTargetState(
  store: Store,
  target: Pick<Target, 'region' | 'projectId'>,
): Promise<Map<string, Connection>> {
  const page = await queryPage(
    store,
    {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': keys.targetPk(target), ':sk': 'CONN#' },
    },
    all,
  );
  return new Map((await connectionsOf(store, page.items)).map((c) => [c.id, c]));
}

/** What the diff needs to know of every stored connection to tell which ones may have changed. */
export interface StoredSummary {
  id: string;
  contentHash: string;
  version: number;
  status: string;
  /** Epoch seconds every chunk of the newest version lives at least until; null: no chunks. */
  chunksExpireAt: number | null;
  /** The oldest creatingSince of a CREATING peering not yet announced stuck; null: none. */
  stuckCheckFrom: string | null;
}

/**
 * The target's stored connections split into SK ranges queried in parallel: `[CONN#, CONN#1]`,
 * `[CONN#1, CONN#2]` ... `[CONN#f, CONN$]` cover every state item whatever its id (`$` follows `#`);
 * an id exactly on a boundary comes back twice and is merged by id. DLI ids are UUIDs, so the ranges
 * are about even. One sequential Query of 50,000 items took ~35 s on DynamoDB Local (each 1 MB page
 * costs more the further it starts); 16 short ones are cheaper there, and faster on DynamoDB too.
 */
const INDEX_RANGES: [string, string][] = (() => {
  const bounds = ['CONN#', ...'123456789abcdef'.split('').map((c) => `CONN#${c}`), 'CONN$'];
  return bounds.slice(0, -1).map((lo, i) => [lo, bounds[i + 1] as string]);
})();
const INDEX_QUERIES_IN_FLIGHT = 8;

/**
 * The target's stored connections, reduced to id, hash, version and status: a re-sync of 10,000
 * unchanged connections must not hold (or validate) 10,000 full objects in memory. Read units are
 * the same as a full read; only memory and CPU are saved.
 */
export async function loadTargetIndex(
  store: Store,
  target: Pick<Target, 'region' | 'projectId'>,
): Promise<Map<string, StoredSummary>> {
  const pages = await mapLimit(INDEX_RANGES, INDEX_QUERIES_IN_FLIGHT, ([lo, hi]) =>
    queryPage(
      store,
      {
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': keys.targetPk(target),
          ':lo': lo,
          ':hi': hi,
        },
        ProjectionExpression: 'id, contentHash, version, #s, chunksExpireAt, stuckCheckFrom',
        ExpressionAttributeNames: { '#s': 'status' },
      },
      all,
    ),
  );
  const index = new Map<string, StoredSummary>();
  for (const item of pages.flatMap((p) => p.items)) {
    const {
      id,
      contentHash,
      version,
      status,
      chunksExpireAt = null,
      stuckCheckFrom = null,
    } = item as Record<string, unknown>;
    if (
      typeof id !== 'string' ||
      typeof contentHash !== 'string' ||
      typeof version !== 'number' ||
      typeof status !== 'string' ||
      (chunksExpireAt !== null && typeof chunksExpireAt !== 'number') ||
      (stuckCheckFrom !== null && typeof stuckCheckFrom !== 'string')
    ) {
      throw new StoreError(
        `stored state item of ${targetLabel(target)} is malformed (id ${String(id).slice(0, 64)})`,
      );
    }
    index.set(id, { id, contentHash, version, status, chunksExpireAt, stuckCheckFrom });
  }
  return index;
}

/** Full stored state of some connections of a target (BatchGetItem, 100 keys a call, unprocessed keys retried). */
export async function loadConnections(
  store: Store,
  target: Pick<Target, 'region' | 'projectId'>,
  ids: readonly string[],
): Promise<Map<string, Connection>> {
  const pk = keys.targetPk(target);
  const items = await batchGet(
    store,
    ids.map((id) => ({ PK: pk, SK: keys.stateSk(id) })),
    true,
  );
  return new Map((await connectionsOf(store, items)).map((c) => [c.id, c]));
}

/** One state item, strongly consistent, chunks read back (the persist step's conflict re-read). */
export async function getState(
  store: Store,
  c: Pick<Connection, 'region' | 'projectId' | 'id'>,
): Promise<Connection | null> {
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { PK: keys.targetPk(c), SK: keys.stateSk(c.id) },
      ConsistentRead: true,
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  record(store.meter, 'read', out.ConsumedCapacity);
  return out.Item ? ((await connectionsOf(store, [out.Item]))[0] ?? null) : null;
}

/**
 * The chunks one state item references (its own and its newest raw's), with its version; null when
 * the item is gone. Strongly consistent: the chunk renewal fences its update on that version.
 */
export async function getStateChunks(
  store: Store,
  target: Pick<Target, 'region' | 'projectId'>,
  id: string,
): Promise<{ version: number; hashes: string[] } | null> {
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { PK: keys.targetPk(target), SK: keys.stateSk(id) },
      ProjectionExpression: 'version, chunks, rawChunkRefs',
      ConsistentRead: true,
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  record(store.meter, 'read', out.ConsumedCapacity);
  if (!out.Item || typeof out.Item.version !== 'number') return null;
  const raw = Array.isArray(out.Item.rawChunkRefs) ? (out.Item.rawChunkRefs as string[]) : [];
  return { version: out.Item.version, hashes: [...new Set([...neededChunks(out.Item), ...raw])] };
}

/**
 * A present connection was, by construction, in the target's latest complete sweep (else it would
 * be a tombstone), so its lastSeenAt is that sweep's time: kept in the run record, not written on
 * every connection every run.
 */
export async function latestCompleteSweepAt(
  store: Store,
  target: Pick<Target, 'region' | 'projectId'>,
): Promise<string | null> {
  let cursor: string | null = null;
  for (let round = 0; round < 10; round++) {
    const page: Page<RunRecord> = await listRuns(store, target, { limit: 25, cursor });
    const complete = page.items.find((r) => r.outcome === 'complete');
    if (complete) return complete.startedAt;
    if (!page.cursor) return null;
    cursor = page.cursor;
  }
  return null;
}

export function withLastSeen(c: Connection, sweptAt: string | null): Connection {
  if (c.status === DELETED || !sweptAt || sweptAt <= c.lastSeenAt) return c;
  return { ...c, lastSeenAt: sweptAt };
}

export async function listConnections(
  store: Store,
  target: Pick<Target, 'region' | 'projectId'>,
  page: PageRequest = all,
): Promise<Page<Connection>> {
  const [result, sweptAt] = await Promise.all([
    queryPage(
      store,
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
        ExpressionAttributeValues: { ':pk': keys.targetPk(target), ':sk': 'CONN#' },
      },
      page,
    ),
    latestCompleteSweepAt(store, target),
  ]);
  const items = (await connectionsOf(store, result.items)).map((c) => withLastSeen(c, sweptAt));
  return boundPage(items, result.items, result.cursor, page.maxBytes);
}

/** One connection by id: its newest history version names its target, then the state item. */
export async function getConnection(store: Store, connectionId: string): Promise<Connection | null> {
  parseRequest(ConnectionId, connectionId);
  const newest = await listHistory(store, connectionId, { limit: 1, order: 'desc' });
  const h = newest.items[0];
  if (!h) return null;
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { PK: keys.targetPk(h), SK: keys.stateSk(connectionId) },
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  record(store.meter, 'read', out.ConsumedCapacity);
  if (!out.Item) return null;
  const [c] = await connectionsOf(store, [out.Item]);
  return c ? withLastSeen(c, await latestCompleteSweepAt(store, h)) : null;
}

export interface RangeRequest extends PageRequest {
  /** ISO instant, inclusive. */
  from?: string | undefined;
  /** ISO instant, inclusive. */
  to?: string | undefined;
  order?: 'asc' | 'desc';
}

/** Sort-key bounds for a time range: `prefix + iso`; '~' sorts after every ISO character. */
function rangeCondition(
  keyName: string,
  prefix: string,
  r: RangeRequest,
): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues'> {
  return {
    KeyConditionExpression: `${keyName === 'SK' ? 'PK' : 'GSI1PK'} = :pk AND ${keyName} BETWEEN :lo AND :hi`,
    ExpressionAttributeValues: { ':lo': `${prefix}${r.from ?? '0'}`, ':hi': `${prefix}${r.to ?? ''}~` },
  };
}

export async function listHistory(
  store: Store,
  connectionId: string,
  r: RangeRequest = {},
): Promise<Page<HistoryVersion>> {
  parseRequest(ConnectionId, connectionId);
  const cond = rangeCondition('SK', 'V#', r);
  const page = await queryPage(
    store,
    {
      ...cond,
      ExpressionAttributeValues: { ...cond.ExpressionAttributeValues, ':pk': keys.historyPk(connectionId) },
      ScanIndexForward: r.order !== 'desc',
    },
    r,
  );
  const items = (await hydrate(store, page.items)).map(toHistory);
  return boundPage(items, page.items, page.cursor, r.maxBytes);
}

export async function listEvents(store: Store, r: RangeRequest = {}): Promise<Page<ChangeEvent>> {
  const cond = rangeCondition('GSI1SK', '', r);
  const page = await queryPage(
    store,
    {
      IndexName: GSI1,
      ...cond,
      ExpressionAttributeValues: { ...cond.ExpressionAttributeValues, ':pk': keys.eventsGsiPk() },
      ScanIndexForward: r.order !== 'desc',
    },
    r,
  );
  return { items: page.items.map(toEvent), cursor: page.cursor };
}

/** Runs of one target, newest first by default. */
export async function listRuns(
  store: Store,
  target: Pick<Target, 'region' | 'projectId'>,
  r: RangeRequest = {},
): Promise<Page<RunRecord>> {
  const cond = rangeCondition('SK', 'RUN#', r);
  const page = await queryPage(
    store,
    {
      ...cond,
      ExpressionAttributeValues: {
        ...cond.ExpressionAttributeValues,
        ':pk': keys.targetPk(target),
      },
      ScanIndexForward: r.order === 'asc',
    },
    r,
  );
  return { items: page.items.map(toRun), cursor: page.cursor };
}

/** Connections that have at least one FAILED peering, across all targets (sparse index). */
export async function listFailedConnections(
  store: Store,
  page: PageRequest = all,
): Promise<Page<Connection>> {
  const result = await queryPage(
    store,
    {
      IndexName: GSI1,
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.failedGsiPk() },
    },
    page,
  );
  return boundPage(await connectionsOf(store, result.items), result.items, result.cursor, page.maxBytes, [
    'PK',
    'SK',
    'GSI1PK',
    'GSI1SK',
  ]);
}

export async function getEvent(
  store: Store,
  eventId: string,
): Promise<(ChangeEvent & { delivery?: unknown }) | null> {
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { PK: keys.eventPk(eventId), SK: keys.eventSk() },
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  record(store.meter, 'read', out.ConsumedCapacity);
  return out.Item ? toEvent(out.Item) : null;
}
