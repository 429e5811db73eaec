/**
 * Writes: changed connections in transactions with version conditions, run records, leases.
 * Knows nothing of the DLI API; gets plain `Change` objects from lib/sync/diff.
 */

import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentWriteError, StoreError } from '../errors.ts';
import type { Change } from '../model/change.ts';
import type { RunRecord } from '../model/schemas.ts';
import { targetLabel } from '../model/target.ts';
import { batchGet, putChunks, storedChunksOf } from './chunk-io.ts';
import type { Chunk } from './chunking.ts';
import { type Store, writeOne } from './client.ts';
import { eventItem, expiry, historyItem, type Item, runItem, stateItem } from './items.ts';
import { layOut } from './layout.ts';
import { getStateChunks } from './query.ts';
import { writeUnits } from './size.ts';
import { keys } from './table.ts';
import { isConditionFailure, type TransactItem, transact } from './transact.ts';

/** DynamoDB's limits for one TransactWriteItems call: 100 actions, 4 MB. We stay under both. */
export const MAX_TRANSACTION_ITEMS = 100;
const MAX_TRANSACTION_BYTES = 3_500_000;

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

/** Pure: the items and chunk writes of one change. */
export function layoutChange(store: Store, change: Change): LaidChange {
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
  return laid;
}

const rawRefs = (refs: unknown): string[] => [
  ...new Set(Object.values(refs as Record<string, string[]>).flat()),
];

/** The puts of one change: state + history + events, all or nothing. */
export function changeActions(
  store: Store,
  change: Change,
  laid: LaidChange = layoutChange(store, change),
): TransactItem[] {
  const { tableName: TableName, retentionDays } = store;
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

/**
 * A change with its transaction actions, built once: measured to group it, then written (and
 * rewritten one change at a time when its group hits a conflict).
 */
export interface PlannedChange {
  change: Change;
  laid: LaidChange;
  /** The change's transaction: state, history and as many of its events as fit beside the fence. */
  actions: TransactItem[];
  /**
   * Events that do not fit (a connection whose hundred peerings fail at once): written just before
   * the transaction, fenced, and idempotent (see writeOverflowEvents).
   */
  overflow: TransactItem[];
  /** UTF-8 bytes of the actions, as DynamoDB counts them toward a transaction's 4 MB. */
  bytes: number;
}

function planChange(store: Store, change: Change): PlannedChange {
  // Laid out once: hashing 20,000 hosts into chunks is not free.
  const laid = layoutChange(store, change);
  const all = changeActions(store, change, laid);
  // A transaction holds 100 actions, one of them the fence: state and history first, then events.
  const actions = all.slice(0, MAX_TRANSACTION_ITEMS - 1);
  const overflow = all.slice(MAX_TRANSACTION_ITEMS - 1);
  // Bytes, not UTF-16 units: DynamoDB counts UTF-8, and a CJK name is 3 bytes per character, so
  // counting characters let a group of large non-ASCII items pass 4 MB and fail as a whole.
  const bytes = actions.reduce((n, a) => n + Buffer.byteLength(JSON.stringify(a)), 0);
  return { change, laid, actions, overflow, bytes };
}

/** Groups changes into transactions under DynamoDB's limits, never splitting one change. */
export function groupChanges(store: Store, changes: readonly Change[], fence?: Fence): PlannedChange[][] {
  const groups: PlannedChange[][] = [];
  // The fence's condition check takes one of the 100 actions of every transaction.
  const maxItems = MAX_TRANSACTION_ITEMS - (fence ? 1 : 0);
  let current: PlannedChange[] = [];
  let items = 0;
  let bytes = 0;
  for (const change of changes) {
    const planned = planChange(store, change);
    const { actions, bytes: size } = planned;
    if (current.length > 0 && (items + actions.length > maxItems || bytes + size > MAX_TRANSACTION_BYTES)) {
      groups.push(current);
      current = [];
      items = 0;
      bytes = 0;
    }
    current.push(planned);
    items += actions.length;
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

const chunksWritten = new WeakSet<Change>();
const overflowWritten = new WeakSet<Change>();

/**
 * Writes the events that did not fit in their change's transaction, before it, fenced. Their ids are
 * deterministic (transition + version), so one that already exists was written by an earlier attempt
 * of this very change (a crash, or a conflict retried one change at a time): it is kept and the rest
 * are written. Written before and not after the version, so a crash in between loses no alert; the
 * price is that a version then lost to a concurrent writer (which the lease makes rare: it must hold
 * the target) leaves events of a transition another run will report again under its own version.
 */
async function writeOverflowEvents(
  store: Store,
  events: readonly TransactItem[],
  fence?: Fence,
): Promise<void> {
  const room = MAX_TRANSACTION_ITEMS - (fence ? 1 : 0);
  for (let i = 0; i < events.length; i += room) {
    let part = events.slice(i, i + room);
    while (part.length > 0) {
      try {
        await transact(store, [...(fence ? [fenceAction(store, fence)] : []), ...part]);
        break;
      } catch (err) {
        if (!(err instanceof TransactionCanceledException) || !isConditionFailure(err)) throw err;
        const reasons = err.CancellationReasons ?? [];
        if (fence && reasons[0]?.Code === 'ConditionalCheckFailed') throw lostLease(fence);
        const offset = fence ? 1 : 0;
        const left = part.filter((_, j) => reasons[j + offset]?.Code !== 'ConditionalCheckFailed');
        if (left.length === part.length) throw err;
        part = left;
      }
    }
  }
}

export interface ApplyResult {
  applied: Change[];
  /** Changes whose condition failed: another writer changed the connection since we read it. */
  conflicts: Change[];
}

/** Writes changes in one transaction (tools and tests; the sync groups them with groupChanges). */
export const writeChanges = (store: Store, changes: readonly Change[], fence?: Fence): Promise<ApplyResult> =>
  writeGroup(
    store,
    changes.map((c) => planChange(store, c)),
    fence,
  );

/**
 * Writes a group of planned changes in one transaction. If a condition fails, the group is retried
 * one change per transaction so that only the conflicting connections are left out.
 */
export async function writeGroup(
  store: Store,
  group: readonly PlannedChange[],
  fence?: Fence,
): Promise<ApplyResult> {
  // Chunks first: the transaction then commits a version whose every chunk exists. Once per change,
  // even when a conflict retries the group one change at a time.
  for (const { change, laid } of group) {
    if (laid.chunkPuts.length === 0 || chunksWritten.has(change)) continue;
    await putChunks(store, change.next.id, laid.chunkPuts, laid.chunkExpiresAt);
    chunksWritten.add(change);
  }
  for (const { change, overflow } of group) {
    if (overflow.length === 0 || overflowWritten.has(change)) continue;
    await writeOverflowEvents(store, overflow, fence);
    overflowWritten.add(change);
  }
  const changes = group.map((p) => p.change);
  try {
    await transact(store, [
      ...(fence ? [fenceAction(store, fence)] : []),
      ...group.flatMap((p) => p.actions),
    ]);
    return { applied: changes, conflicts: [] };
  } catch (err) {
    if (!(err instanceof TransactionCanceledException) || !isConditionFailure(err)) throw err;
    if (fence && err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') throw lostLease(fence);
  }
  if (group.length === 1) return { applied: [], conflicts: changes };
  const result: ApplyResult = { applied: [], conflicts: [] };
  for (const planned of group) {
    const one = await writeGroup(store, [planned], fence);
    result.applied.push(...one.applied);
    result.conflicts.push(...one.conflicts);
  }
  return result;
}

const lostLease = (fence: Fence): ConcurrentWriteError =>
  new ConcurrentWriteError(
    `this run lost the lease of ${targetLabel(fence.target)} to a newer run, which stores its own view; this run's remaining changes were not written`,
  );

/**
 * Writes `actions` in transactions of at most 99 (the fence takes the 100th), each fenced by the
 * run's lease: a run that lost its lease writes none of them. For writes without version conditions
 * of their own (held deletions); changes go through writeGroup, which also sorts out conflicts.
 */
export async function writeFenced(
  store: Store,
  actions: readonly TransactItem[],
  fence: Fence,
): Promise<void> {
  const room = MAX_TRANSACTION_ITEMS - 1;
  for (let i = 0; i < actions.length; i += room) {
    await transact(store, [fenceAction(store, fence), ...actions.slice(i, i + room)]).catch(
      (err: unknown) => {
        if (
          err instanceof TransactionCanceledException &&
          err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
        )
          throw lostLease(fence);
        throw err;
      },
    );
  }
}

/**
 * Keeps a live connection's chunks alive: an unchanged connection writes no version, so nothing else
 * would ever extend its chunks' TTL, and after retention + grace its state item would reference
 * chunks DynamoDB removed. Re-puts every chunk the state item references with a TTL as if a version
 * were written `observedAt`, then moves the state's `chunksExpireAt`, fenced, on the version read.
 * False when the connection changed meanwhile (that writer's version handled its chunks).
 */
export async function renewChunks(
  store: Store,
  target: { region: string; projectId: string },
  id: string,
  observedAt: string,
  fence: Fence,
): Promise<boolean> {
  const state = await getStateChunks(store, target, id);
  if (!state || state.hashes.length === 0) return false;
  const pk = keys.historyPk(id);
  const found = await batchGet(
    store,
    state.hashes.map((h) => ({ PK: pk, SK: keys.chunkSk(h) })),
    true,
  );
  const data = new Map(found.map((c) => [String(c.SK).slice('CHUNK#'.length), String(c.data)]));
  const lost = state.hashes.find((h) => !data.has(h));
  // Too late to renew: say which, as a read would, rather than pretend the chunks live on.
  if (lost) throw new StoreError(`chunk ${lost} of connection ${id} is missing from the table`);
  const expiresAt = expiry(observedAt, store.retentionDays + CHUNK_GRACE_DAYS);
  await putChunks(
    store,
    id,
    state.hashes.map((hash) => ({ hash, data: data.get(hash) as string })),
    expiresAt,
  );
  const update: TransactItem = {
    Update: {
      TableName: store.tableName,
      Key: { PK: keys.targetPk(target), SK: keys.stateSk(id) },
      UpdateExpression: 'SET chunksExpireAt = :e',
      ConditionExpression: '#v = :v',
      ExpressionAttributeNames: { '#v': 'version' },
      ExpressionAttributeValues: { ':e': expiresAt, ':v': state.version },
    },
  };
  try {
    await transact(store, [fenceAction(store, fence), update]);
    return true;
  } catch (err) {
    if (!(err instanceof TransactionCanceledException) || !isConditionFailure(err)) throw err;
    if (err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') throw lostLease(fence);
    return false;
  }
}

export async function putItem(store: Store, item: Item, condition?: string): Promise<void> {
  await writeOne(
    store,
    () =>
      store.doc.send(
        new PutCommand({
          TableName: store.tableName,
          Item: item,
          ...(condition ? { ConditionExpression: condition } : {}),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    writeUnits(item, false),
  );
}

export async function putRun(store: Store, run: RunRecord): Promise<void> {
  await putItem(store, runItem(run, store.retentionDays));
}
