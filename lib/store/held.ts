/**
 * Deletions held by the safety fuse (lib/sync/fuse.ts): one item per connection under its target,
 * PK TARGET#{region}#{projectId}, SK HELD#{connectionId}. Written in fenced transactions, like every
 * other write of a run, so a run that lost its lease cannot hold or release anything.
 */

import { z } from 'zod';
import type { HeldDeletion } from '../model/change.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import type { Store } from './client.ts';
import { eventItem } from './items.ts';
import { queryPage } from './query.ts';
import { keys } from './table.ts';
import type { TransactItem } from './transact.ts';
import { type Fence, writeFenced } from './write.ts';

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
  const page = await queryPage(
    store,
    {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :held)',
      ExpressionAttributeValues: { ':pk': keys.targetPk(target), ':held': HELD_PREFIX },
      ConsistentRead: true,
    },
    { cursor: null },
  );
  return page.items.map((item) => HeldSchema.parse(item));
}

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
  const actions: TransactItem[] = [
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
  await writeFenced(store, actions, fence);
}
