/**
 * The stale-target alert's marker and events: item `TARGET#{r}#{p}` / `TARGET_STALE` while a
 * TARGET_STALE alert is open. Opening writes the marker and the event in one transaction, each only
 * if absent; closing deletes the marker (only if it is still that alert's) and writes the
 * TARGET_RECOVERED event, only if absent. Concurrent scheduled ticks thus write each event once:
 * the loser's transaction is cancelled by a condition and writes nothing.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import type { ChangeEvent, RunRecord, Target } from '../model/schemas.ts';
import { batchGet } from './chunk-io.ts';
import type { Store } from './client.ts';
import { eventItem } from './items.ts';
import { listRuns } from './query.ts';
import { keys } from './table.ts';
import { isConditionFailure, type TransactItem, transact } from './transact.ts';

type TargetRef = Pick<Target, 'region' | 'projectId'>;

const MarkerSchema = z.object({
  region: z.string(),
  projectId: z.string(),
  /** The TARGET_STALE event this marker stands for. */
  eventId: z.string(),
  /** The newest complete sweep when the alert opened (null: none on record). */
  lastCompleteSweepAt: z.string().nullable(),
  openedAt: z.string(),
});
export type StaleMarker = z.infer<typeof MarkerSchema>;

const markerKey = (t: TargetRef) => ({ PK: keys.targetPk(t), SK: keys.staleSk() });

/** Open stale alerts of these targets, by `region:projectId` order of the input (absent: none open). */
export async function loadStaleMarkers(store: Store, targets: readonly TargetRef[]): Promise<StaleMarker[]> {
  if (targets.length === 0) return [];
  const items = await batchGet(store, targets.map(markerKey), true);
  return items.map((i) => MarkerSchema.parse(i));
}

/** Writes the marker and the TARGET_STALE event; false when another tick already did. */
export async function openStaleAlert(
  store: Store,
  marker: StaleMarker,
  event: ChangeEvent,
): Promise<boolean> {
  const { tableName: TableName } = store;
  return withEvent(store, event, {
    Put: {
      TableName,
      Item: { ...markerKey(marker), entity: 'stale-alert', ...marker },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  });
}

/** Removes the marker of `marker.eventId` and writes the TARGET_RECOVERED event; false when another tick did. */
export async function closeStaleAlert(
  store: Store,
  marker: StaleMarker,
  event: ChangeEvent,
): Promise<boolean> {
  return withEvent(store, event, {
    Delete: {
      TableName: store.tableName,
      Key: markerKey(marker),
      ConditionExpression: 'eventId = :id',
      ExpressionAttributeValues: { ':id': marker.eventId },
    },
  });
}

/**
 * The marker's change and its event in one transaction, each conditioned (the marker's condition
 * above; the event must not exist): true when written, false when another tick got there first.
 */
async function withEvent(store: Store, event: ChangeEvent, marker: TransactItem): Promise<boolean> {
  try {
    await transact(store, [
      marker,
      {
        Put: {
          TableName: store.tableName,
          Item: eventItem(event, store.retentionDays),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ]);
    return true;
  } catch (err) {
    if (err instanceof TransactionCanceledException && isConditionFailure(err)) return false;
    throw err;
  }
}

/** The newest run of the target that recorded an error (among its last 20), or null. */
export async function lastRunError(
  store: Store,
  target: TargetRef,
): Promise<Pick<RunRecord, 'error' | 'runId'> | null> {
  const runs = await listRuns(store, target, { limit: 20 });
  // Skipped runs only say another run held the lease: not why the target is blind.
  const run = runs.items.find(
    (r) => (r.outcome === 'incomplete' || r.outcome === 'failed') && r.error !== null,
  );
  return run ? { error: run.error, runId: run.runId } : null;
}
