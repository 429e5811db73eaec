/**
 * Deletions held by the safety fuse (lib/sync/fuse.ts): one item per connection under its target,
 * PK TARGET#{region}#{projectId}, SK HELD#{connectionId}. Written in fenced transactions, like every
 * other write of a run, so a run that lost its lease cannot hold or release anything.
 */

import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ConcurrentWriteError } from '../errors.ts';
import type { HeldDeletion } from '../model/change.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { targetLabel } from '../model/target.ts';
import { record, type Store } from './client.ts';
import { eventItem } from './items.ts';
import { keys } from './table.ts';
import { type Fence, fenceAction, MAX_TRANSACTION_ITEMS } from './write.ts';

const HELD_PREFIX = 'HELD#';
export const heldSk = (connectionId: string): string => `${HELD_PREFIX}${connectionId}`;

const HeldSchema = z.object({
  region: z.string(),
  projectId: z.string(),
  connectionId: z.string(),
  connectionName: z.string().nullable(),
  heldAt: z.string(),
  runId: z.string(),
  agreeingSweeps: z.number().int().positive(),
});

/** Every deletion held for a target (strongly consistent: the run decides from it). */
export async function loadHeld(
  store: Store,
  target: { region: string; projectId: string },
): Promise<HeldDeletion[]> {
  const out: HeldDeletion[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await store.doc.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :held)',
        ExpressionAttributeValues: {
          ':pk': keys.targetPk(target),
          ':held': HELD_PREFIX,
        },
        ConsistentRead: true,
        ExclusiveStartKey: start,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    record(store.meter, 'read', res.ConsumedCapacity);
    for (const item of res.Items ?? []) out.push(HeldSchema.parse(item));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

type Action = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * Puts `hold`, deletes `release`, and writes the DELETIONS_HELD event (first, so it goes with the
 * first held items), each transaction fenced by the run's lease.
 */
export async function writeHeld(
  store: Store,
  change: { hold: readonly HeldDeletion[]; release: readonly string[]; event: ChangeEvent | null },
  fence: Fence,
): Promise<void> {
  const { tableName: TableName } = store;
  const pk = keys.targetPk(fence.target);
  const actions: Action[] = [
    ...(change.event
      ? [
          {
            Put: {
              TableName,
              Item: eventItem(change.event, store.retentionDays),
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ]
      : []),
    ...change.hold.map((h) => ({
      Put: { TableName, Item: { PK: pk, SK: heldSk(h.connectionId), entity: 'held', ...h } },
    })),
    ...change.release.map((id) => ({ Delete: { TableName, Key: { PK: pk, SK: heldSk(id) } } })),
  ];
  const room = MAX_TRANSACTION_ITEMS - 1;
  for (let i = 0; i < actions.length; i += room) {
    const part = actions.slice(i, i + room);
    store.beforeWrite?.(part.length + 1);
    const out = await store.doc
      .send(
        new TransactWriteCommand({
          TransactItems: [fenceAction(store, fence), ...part],
          ReturnConsumedCapacity: 'TOTAL',
        }),
      )
      .catch((err: unknown) => {
        if (err instanceof TransactionCanceledException) {
          if (err.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
            throw new ConcurrentWriteError(
              `this run lost the lease of ${targetLabel(fence.target)} to a newer run; its held deletions were not written`,
            );
          }
        }
        throw err;
      });
    store.meter.itemWrites += part.length;
    // Held items and the event are small: 1 unit each, doubled for the transaction.
    store.meter.estimatedWriteUnits += part.length * 2;
    record(store.meter, 'write', out.ConsumedCapacity);
  }
}
