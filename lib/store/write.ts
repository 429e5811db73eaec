/**
 * Writes: changed connections in transactions with version conditions, run records, leases.
 * Knows nothing of the DLI API; gets plain `Change` objects from lib/sync/diff.
 */

import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentWriteError } from '../errors.ts';
import type { Change } from '../model/change.ts';
import type { RunRecord } from '../model/schemas.ts';
import { targetLabel } from '../model/target.ts';
import { putChunks, storedChunksOf } from './chunk-io.ts';
import type { Chunk } from './chunking.ts';
import { record, type Store } from './client.ts';
import { eventItem, expiry, historyItem, type Item, runItem, stateItem } from './items.ts';
import { layOut } from './layout.ts';
import { writeUnits } from './size.ts';
import { keys } from './table.ts';

/** DynamoDB's limits for one TransactWriteItems call: 100 actions, 4 MB. We stay under both. */
export const MAX_TRANSACTION_ITEMS = 100;
const MAX_TRANSACTION_BYTES = 3_500_000;

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/**
 * Chunks outlive the newest version that references them by this much more than its retention, so a
 * connection that changes often rewrites its unchanged chunks (to extend their TTL) at most once in
 * this many days instead of at every change. See infra/table.md.
 */
export const CHUNK_GRACE_DAYS = 90;

export interface LaidChange {
  state: Item;
  history: Item;
  /** Chunks to write before the transaction: new ones, and old ones whose TTL is too short. */
  chunkPuts: Chunk[];
  chunkExpiresAt: number;
}

// A change is laid out once (hashing 20,000 hosts is not free), then grouped, written and retried.
const laidOut = new WeakMap<Change, LaidChange>();

/** Pure but for the memo: the items and chunk writes of one change. */
export function layoutChange(store: Store, change: Change): LaidChange {
  const memo = laidOut.get(change);
  if (memo) return memo;
  const { retentionDays } = store;
  const observedAt = change.history.observedAt;
  const state = layOut(stateItem(change.next, retentionDays));
  const history = layOut(historyItem(change.history, retentionDays));
  const all = new Map<string, Chunk>([...state.chunks, ...history.chunks].map((c) => [c.hash, c]));
  // A chunk of the previous version may be kept as it is only if it already outlives this version
  // (and the tombstone it may become): its TTL is at least the previous chunksExpireAt.
  const previous = change.previous ? storedChunksOf(change.previous) : undefined;
  const needed = expiry(observedAt, retentionDays);
  const alive = previous && previous.expiresAt >= needed ? previous.hashes : new Set<string>();
  const chunkExpiresAt = expiry(observedAt, retentionDays + CHUNK_GRACE_DAYS);
  const chunkPuts = [...all.values()].filter((c) => !alive.has(c.hash));
  const kept = all.size > chunkPuts.length;
  const laid: LaidChange = {
    state: {
      ...state.item,
      ...(all.size > 0
        ? {
            chunksExpireAt: kept && previous ? Math.min(previous.expiresAt, chunkExpiresAt) : chunkExpiresAt,
            // The state keeps the raw's chunk list too, so the next version knows they exist.
            ...(history.item.rawChunks ? { rawChunkRefs: rawRefs(history.item.rawChunks) } : {}),
          }
        : {}),
    },
    history: history.item,
    chunkPuts,
    chunkExpiresAt,
  };
  laidOut.set(change, laid);
  return laid;
}

const rawRefs = (refs: unknown): string[] => [
  ...new Set(Object.values(refs as Record<string, string[]>).flat()),
];

/** The puts of one change: state + history + events, all or nothing. */
export function changeActions(store: Store, change: Change): TransactItem[] {
  const { tableName: TableName, retentionDays } = store;
  const laid = layoutChange(store, change);
  const state: TransactItem = {
    Put: {
      TableName,
      Item: laid.state,
      // Optimistic concurrency: the stored version must still be the one we diffed against, or
      // another writer got there first and our view is stale. A new connection must not exist yet.
      ...(change.previous
        ? {
            ConditionExpression: '#v = :prev',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':prev': change.previous.version },
          }
        : { ConditionExpression: 'attribute_not_exists(PK)' }),
    },
  };
  // History versions and events are immutable: writing one twice means two runs raced, and the
  // state condition above already cancels the loser; these conditions make that explicit.
  const history: TransactItem = {
    Put: {
      TableName,
      Item: laid.history,
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
  const events: TransactItem[] = change.events.map((e) => ({
    Put: { TableName, Item: eventItem(e, retentionDays), ConditionExpression: 'attribute_not_exists(PK)' },
  }));
  return [state, history, ...events];
}

/**
 * Fencing: the run that holds a target's lease. A run can outlive its lease (a stalled process, a
 * slow table) while the next run takes the target over and stores a newer view; the older run must
 * then write nothing, or it would move connections back in time (a false DELETED for a connection
 * that came back, a FAILED for a peering that recovered). Each of its transactions therefore checks,
 * atomically with the writes, that the lease still names it.
 */
export interface Fence {
  target: { region: string; projectId: string };
  holder: string;
}

export function fenceAction(store: Store, fence: Fence): TransactItem {
  return {
    ConditionCheck: {
      TableName: store.tableName,
      Key: { PK: keys.targetPk(fence.target), SK: keys.leaseSk() },
      ConditionExpression: 'holder = :me',
      ExpressionAttributeValues: { ':me': fence.holder },
    },
  };
}

/** Groups changes into transactions under DynamoDB's limits, never splitting one change. */
export function chunkChanges(store: Store, changes: readonly Change[], fence?: Fence): Change[][] {
  const chunks: Change[][] = [];
  // The fence's condition check takes one of the 100 actions of every transaction.
  const maxItems = MAX_TRANSACTION_ITEMS - (fence ? 1 : 0);
  let current: Change[] = [];
  let items = 0;
  let bytes = 0;
  for (const change of changes) {
    const actions = changeActions(store, change);
    // Bytes, not UTF-16 units: DynamoDB counts UTF-8, and a CJK name is 3 bytes per character, so
    // counting characters let a group of large non-ASCII items pass 4 MB and fail as a whole.
    const size = actions.reduce((n, a) => n + Buffer.byteLength(JSON.stringify(a)), 0);
    if (current.length > 0 && (items + actions.length > maxItems || bytes + size > MAX_TRANSACTION_BYTES)) {
      chunks.push(current);
      current = [];
      items = 0;
      bytes = 0;
    }
    current.push(change);
    items += actions.length;
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const chunksWritten = new WeakSet<Change>();

export interface ApplyResult {
  applied: Change[];
  /** Changes whose condition failed: another writer changed the connection since we read it. */
  conflicts: Change[];
}

/**
 * Writes a group of changes in one transaction. If a condition fails, the group is retried one
 * change per transaction so that only the conflicting connections are left out.
 */
export async function writeChanges(
  store: Store,
  group: readonly Change[],
  fence?: Fence,
): Promise<ApplyResult> {
  // Chunks first: the transaction then commits a version whose every chunk exists. Once per change,
  // even when a conflict retries the group one change at a time.
  for (const change of group) {
    const laid = layoutChange(store, change);
    if (laid.chunkPuts.length === 0 || chunksWritten.has(change)) continue;
    await putChunks(store, change.next.id, laid.chunkPuts, laid.chunkExpiresAt);
    chunksWritten.add(change);
  }
  try {
    await transact(store, [
      ...(fence ? [fenceAction(store, fence)] : []),
      ...group.flatMap((c) => changeActions(store, c)),
    ]);
    return { applied: [...group], conflicts: [] };
  } catch (err) {
    if (!(err instanceof TransactionCanceledException) || !isConditionFailure(err)) throw err;
    if (fence && err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
      throw new ConcurrentWriteError(
        `this run lost the lease of ${targetLabel(fence.target)} to a newer run, which stores its own view; this run's remaining changes were not written`,
      );
    }
  }
  if (group.length === 1) return { applied: [], conflicts: [...group] };
  const result: ApplyResult = { applied: [], conflicts: [] };
  for (const change of group) {
    const one = await writeChanges(store, [change], fence);
    result.applied.push(...one.applied);
    result.conflicts.push(...one.conflicts);
  }
  return result;
}

const isConditionFailure = (err: TransactionCanceledException): boolean =>
  (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');

async function transact(store: Store, actions: TransactItem[]): Promise<void> {
  store.beforeWrite?.(actions.length);
  const out = await store.doc.send(
    new TransactWriteCommand({ TransactItems: actions, ReturnConsumedCapacity: 'TOTAL' }),
  );
  // A fence's condition check writes nothing.
  store.meter.itemWrites += actions.filter((a) => !a.ConditionCheck).length;
  for (const a of actions) if (a.Put?.Item) store.meter.estimatedWriteUnits += writeUnits(a.Put.Item, true);
  record(store.meter, 'write', out.ConsumedCapacity);
}

export async function putItem(store: Store, item: Item, condition?: string): Promise<void> {
  store.beforeWrite?.(1);
  const out = await store.doc.send(
    new PutCommand({
      TableName: store.tableName,
      Item: item,
      ...(condition ? { ConditionExpression: condition } : {}),
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  store.meter.itemWrites += 1;
  store.meter.estimatedWriteUnits += writeUnits(item, false);
  record(store.meter, 'write', out.ConsumedCapacity);
}

export async function putRun(store: Store, run: RunRecord): Promise<void> {
  await putItem(store, runItem(run, store.retentionDays));
}
