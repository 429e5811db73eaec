/**
 * Writes: changed connections in transactions with version conditions, run records, leases.
 * Knows nothing of the DLI API; gets plain `Change` objects from lib/sync/diff.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentWriteError } from '../errors.ts';
import type { RunRecord } from '../model.ts';
import type { Change } from '../sync/diff.ts';
import { record, type Store } from './client.ts';
import { eventItem, historyItem, type Item, runItem, stateItem } from './items.ts';
import { writeUnits } from './size.ts';
import { keys } from './table.ts';

/** DynamoDB's limits for one TransactWriteItems call: 100 actions, 4 MB. We stay under both. */
export const MAX_TRANSACTION_ITEMS = 100;
const MAX_TRANSACTION_BYTES = 3_500_000;

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** The puts of one change: state + history + events, all or nothing. */
export function changeActions(store: Store, change: Change): TransactItem[] {
  const { tableName: TableName, retentionDays } = store;
  const state: TransactItem = {
    Put: {
      TableName,
      Item: stateItem(change.next, retentionDays),
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
      Item: historyItem(change.history, retentionDays),
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
      Key: { PK: keys.targetPk(fence.target.region, fence.target.projectId), SK: keys.leaseSk() },
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
        `this run lost the lease of ${fence.target.region}/${fence.target.projectId} to a newer run, which stores its own view; this run's remaining changes were not written`,
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
