/**
 * Every read the sync, the CLI and the API make. All are Query or GetItem by key; no Scan.
 */
import { BatchGetCommand, GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { mapLimit } from '../concurrency.ts';
import { BadRequestError, StoreError } from '../errors.ts';
import type { ChangeEvent, Connection, HistoryVersion, RunRecord, Target } from '../model.ts';
import { connectionId, decodeCursor, encodeCursor, INVALID_CURSOR, parseRequest } from '../validate.ts';
import { record, type Store } from './client.ts';
import { type Item, toConnection, toEvent, toHistory, toRun } from './items.ts';
import { GSI1, keys } from './table.ts';

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  cursor: string | null;
}

export interface PageRequest {
  limit?: number;
  cursor?: string | null;
}

/**
 * Every key attribute of the table and its index is a string (lib/store/table.ts). Anything else
 * would fail in the SDK's marshalling (e.g. a number past 2^53) before DynamoDB could refuse it.
 */
const StartKey = z.record(z.string(), z.string());

const ConnectionId = connectionId('connection id');

/** One page of a Query, or all pages when `limit` is undefined. */
async function queryPage(
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

/** Current stored state of one target, tombstones included, as the diff needs it. */
export async function loadTargetState(
  store: Store,
  target: Pick<Target, 'region' | 'projectId'>,
): Promise<Map<string, Connection>> {
  const page = await queryPage(
    store,
    {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': keys.targetPk(target.region, target.projectId), ':sk': 'CONN#' },
    },
    all,
  );
  return new Map(
    page.items.map((item) => {
      const c = toConnection(item);
      return [c.id, c];
    }),
  );
}

/** What the diff needs to know of every stored connection to tell which ones may have changed. */
export interface StoredSummary {
  id: string;
  contentHash: string;
  version: number;
  status: string;
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
          ':pk': keys.targetPk(target.region, target.projectId),
          ':lo': lo,
          ':hi': hi,
        },
        ProjectionExpression: 'id, contentHash, version, #s',
        ExpressionAttributeNames: { '#s': 'status' },
      },
      all,
    ),
  );
  const index = new Map<string, StoredSummary>();
  for (const item of pages.flatMap((p) => p.items)) {
    const { id, contentHash, version, status } = item as Record<string, unknown>;
    if (
      typeof id !== 'string' ||
      typeof contentHash !== 'string' ||
      typeof version !== 'number' ||
      typeof status !== 'string'
    ) {
      throw new StoreError(
        `stored state item of ${target.region}/${target.projectId} is malformed (id ${String(id).slice(0, 64)})`,
      );
    }
    index.set(id, { id, contentHash, version, status });
  }
  return index;
}

/** Full stored state of some connections of a target (BatchGetItem, 100 keys a call, unprocessed keys retried). */
export async function loadConnections(
  store: Store,
  target: Pick<Target, 'region' | 'projectId'>,
  ids: readonly string[],
): Promise<Map<string, Connection>> {
  const out = new Map<string, Connection>();
  const pk = keys.targetPk(target.region, target.projectId);
  for (let i = 0; i < ids.length; i += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
      [store.tableName]: {
        Keys: ids.slice(i, i + 100).map((id) => ({ PK: pk, SK: keys.stateSk(id) })),
        ConsistentRead: true,
      },
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
      if (attempt > 10) throw new StoreError('DynamoDB kept returning unprocessed keys for BatchGetItem');
      const res = await store.doc.send(
        new BatchGetCommand({ RequestItems: request, ReturnConsumedCapacity: 'TOTAL' }),
      );
      record(store.meter, 'read', res.ConsumedCapacity);
      for (const item of res.Responses?.[store.tableName] ?? []) {
        const c = toConnection(item);
        out.set(c.id, c);
      }
      request = res.UnprocessedKeys as typeof request;
    }
  }
  return out;
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
  if (c.status === 'DELETED' || !sweptAt || sweptAt <= c.lastSeenAt) return c;
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
        ExpressionAttributeValues: { ':pk': keys.targetPk(target.region, target.projectId), ':sk': 'CONN#' },
      },
      page,
    ),
    latestCompleteSweepAt(store, target),
  ]);
  return { items: result.items.map((i) => withLastSeen(toConnection(i), sweptAt)), cursor: result.cursor };
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
      Key: { PK: keys.targetPk(h.region, h.projectId), SK: keys.stateSk(connectionId) },
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  record(store.meter, 'read', out.ConsumedCapacity);
  if (!out.Item) return null;
  return withLastSeen(toConnection(out.Item), await latestCompleteSweepAt(store, h));
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
  return { items: page.items.map(toHistory), cursor: page.cursor };
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
        ':pk': keys.targetPk(target.region, target.projectId),
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
  return { items: result.items.map(toConnection), cursor: result.cursor };
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
