/**
 * The store's one metered TransactWriteItems and what its callers need to tell a failed condition
 * from the rest. On its own (not in write.ts) so that a bundle that writes one transaction (the API's
 * acknowledgements) does not carry the sync's fenced writes with it.
 */
import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { record, type Store } from './client.ts';
import { writeUnits } from './size.ts';

export type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** A transaction cancelled because one of its conditions failed (not a conflict or throttling). */
export const isConditionFailure = (err: TransactionCanceledException): boolean =>
  (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');

/** One TransactWriteItems call, metered; conditions and fencing are the caller's. */
export async function transact(store: Store, actions: TransactItem[]): Promise<void> {
  store.beforeWrite?.(actions.length);
  const out = await store.doc.send(
    new TransactWriteCommand({ TransactItems: actions, ReturnConsumedCapacity: 'TOTAL' }),
  );
  // A fence's condition check writes nothing.
  store.meter.itemWrites += actions.filter((a) => !a.ConditionCheck).length;
  for (const a of actions) {
    if (a.Put?.Item) store.meter.estimatedWriteUnits += writeUnits(a.Put.Item, true);
    // A delete costs what the deleted item weighs; the only ones here are small (held deletions).
    if (a.Delete) store.meter.estimatedWriteUnits += 2;
  }
  record(store.meter, 'write', out.ConsumedCapacity);
}
