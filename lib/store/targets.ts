/**
 * The target registry (lib/model/target-registry.ts): one item per known target in one partition,
 * PK `TARGETS`, SK `{region}#{projectId}`, so `targets` and the worker read every target with one
 * Query (an estate has hundreds of projects, not millions). Written only on change: a new, returning,
 * retired or re-described target (recordTargets), or a reachability change of a run (fenced by the
 * run's lease, with its event). `lastCompleteSweepAt` is not stored: it is the newest complete run
 * record, read when asked, so an unchanged re-sync writes nothing here.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { mapLimit } from '../concurrency.ts';
import type { ChangeEvent, Target } from '../model/schemas.ts';
import { DELETED } from '../model/status.ts';
import { type TargetRef, type TargetState, targetKey, targetSpec } from '../model/target.ts';
import type { RegisteredTarget } from '../model/target-registry.ts';
import { record, type Store } from './client.ts';
import { eventItem } from './items.ts';
import { latestCompleteSweepAt, queryPage } from './query.ts';
import { keys } from './table.ts';
import { type Fence, putItem, writeFenced } from './write.ts';

const REGISTRY_PK = 'TARGETS';
const registryKey = (t: TargetRef) => ({ PK: REGISTRY_PK, SK: targetKey(t) });

/** Items written by a run before recordTargets ever ran lack the descriptive fields: defaults. */
const RegisteredSchema = z.object({
  region: z.string(),
  projectId: z.string(),
  projectName: z.string().nullable().default(null),
  account: z.string().nullable().default(null),
  source: z.enum(['explicit', 'discovered']).default('explicit'),
  state: z.enum(['active', 'denied', 'not-enabled', 'retired']).default('active'),
  stateSince: z.string(),
  firstSeenAt: z.string(),
  retiredAt: z.string().nullable().default(null),
});

/** Every registered target (strongly consistent: recordTargets decides from it). */
export async function loadRegistry(store: Store): Promise<RegisteredTarget[]> {
  const page = await queryPage(
    store,
    {
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': REGISTRY_PK },
      ConsistentRead: true,
    },
    { cursor: null },
  );
  return page.items.map((item) => RegisteredSchema.parse(item));
}

/** One target's state, or null when it has no registry item. */
export async function getTargetState(store: Store, target: TargetRef): Promise<TargetState | null> {
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: registryKey(target),
      ProjectionExpression: '#s',
      ExpressionAttributeNames: { '#s': 'state' },
      ConsistentRead: true,
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  record(store.meter, 'read', out.ConsumedCapacity);
  if (!out.Item) return null;
  return RegisteredSchema.shape.state.parse(out.Item.state);
}

export async function putRegistered(store: Store, items: readonly RegisteredTarget[]): Promise<void> {
  for (const t of items) await putItem(store, { ...registryKey(t), entity: 'target', ...t });
}

/**
 * A run's reachability change: the registry's state and the change's event in one transaction,
 * fenced by the run's lease. Conditioned on the state not being `state` already, so a retried run
 * (or a concurrent CLI run that got there first) writes no second event.
 */
export async function writeTargetState(
  store: Store,
  change: { target: TargetRef; state: TargetState; at: string; event: ChangeEvent | null },
  fence: Fence,
): Promise<void> {
  const { tableName: TableName } = store;
  const update = {
    Update: {
      TableName,
      Key: registryKey(change.target),
      // A target registered by nobody yet (a run outside recordTargets) gets the defaults too.
      UpdateExpression:
        'SET #s = :s, stateSince = :at, #r = :r, projectId = :p, firstSeenAt = if_not_exists(firstSeenAt, :at), entity = :e',
      ConditionExpression: 'attribute_not_exists(PK) OR #s <> :s',
      ExpressionAttributeNames: { '#s': 'state', '#r': 'region' },
      ExpressionAttributeValues: {
        ':s': change.state,
        ':at': change.at,
        ':r': change.target.region,
        ':p': change.target.projectId,
        ':e': 'target',
      },
    },
  };
  const event = change.event
    ? [
        {
          Put: {
            TableName,
            Item: eventItem(change.event, store.retentionDays),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ]
    : [];
  try {
    await writeFenced(store, [update, ...event], fence);
  } catch (err) {
    // The fence (index 0) failing is a lost lease and writeFenced says so; our own condition failing
    // means the state (and its event) is already recorded.
    if (err instanceof TransactionCanceledException) return;
    throw err;
  }
}

/** One row of `targets` / `GET /targets`. */
export interface TargetOverview {
  region: string;
  projectId: string;
  projectName: string | null;
  account: string | null;
  source: 'explicit' | 'discovered';
  state: TargetState;
  lastCompleteSweepAt: string | null;
  connections: number;
}

/** Live (not DELETED) connections of a target: a COUNT query, no item leaves DynamoDB. */
async function liveCount(store: Store, target: TargetRef): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :c)',
        FilterExpression: '#s <> :deleted',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':pk': keys.targetPk(target), ':c': 'CONN#', ':deleted': DELETED },
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    record(store.meter, 'read', out.ConsumedCapacity);
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/**
 * Every known target: the registry, plus configured targets not registered yet (before their first
 * sync) as explicit and active. Sorted by region, then project.
 */
export async function listTargetOverview(
  store: Store,
  configured: readonly TargetRef[],
): Promise<TargetOverview[]> {
  const registered = await loadRegistry(store);
  const known = new Set(registered.map(targetSpec));
  const rows: Omit<TargetOverview, 'lastCompleteSweepAt' | 'connections'>[] = [
    ...registered.map(({ stateSince: _s, firstSeenAt: _f, retiredAt: _r, ...t }) => t),
    ...configured
      .filter((t) => !known.has(targetSpec(t)))
      .map((t) => ({
        region: t.region,
        projectId: t.projectId,
        projectName: null,
        account: null,
        source: 'explicit' as const,
        state: 'active' as const,
      })),
  ].sort((a, b) => a.region.localeCompare(b.region) || a.projectId.localeCompare(b.projectId));
  return mapLimit(rows, 8, async (t) => ({
    ...t,
    lastCompleteSweepAt: await latestCompleteSweepAt(store, t),
    connections: await liveCount(store, t),
  }));
}

/**
 * Configured targets plus the registry's others (discovered ones, and retired ones when `retired`),
 * each with the endpoint `endpointFor` gives its region. Read commands list a retired target's
 * connections from the table until retention removes them; the worker accepts only non-retired ones.
 */
export async function knownTargets(
  store: Store,
  configured: readonly Target[],
  endpointFor: (region: string) => string,
  opts: { retired: boolean },
): Promise<Target[]> {
  const have = new Set(configured.map(targetSpec));
  const more = (await loadRegistry(store))
    .filter((t) => !have.has(targetSpec(t)) && (opts.retired || t.state !== 'retired'))
    .map((t) => ({ region: t.region, projectId: t.projectId, endpoint: endpointFor(t.region) }));
  return [...configured, ...more];
}
