/**
 * Persist step: writes the diff's changes in transactions, one transaction at a time (each holds
 * up to 99 actions, several connections; see below why never two at once), and resolves conflicts
 * with another writer by re-reading the connection and diffing again (the other writer's state
 * wins, ours is re-applied on top only if it still differs).
 */

import { ConcurrentWriteError } from '../errors.ts';
import type { Change } from '../model/change.ts';
import { targetLabel } from '../model/target.ts';
import type { Store } from '../store/client.ts';
import { getState } from '../store/query.ts';
import { type Fence, groupChanges, writeGroup } from '../store/write.ts';
import { type DiffInput, diffTarget } from './diff.ts';

// Transactions go one at a time: every transaction carries the lease fence (a ConditionCheck on the
// target's lease item), and DynamoDB cancels concurrent transactions that touch the same item
// (TransactionConflict), so parallel transactions of one run would only conflict with each other.
// Targets still write in parallel: each has its own lease item.

const CONFLICT_ROUNDS = 3;

export type PersistContext = Omit<DiffInput, 'stored'> & {
  /** The run's lease: every transaction checks it still holds it (see Fence in lib/store/write.ts). */
  fence?: Fence;
};

export async function persistChanges(
  store: Store,
  changes: Change[],
  ctx: PersistContext,
): Promise<Change[]> {
  const applied: Change[] = [];
  let pending = changes;
  for (let round = 0; pending.length > 0; round++) {
    if (round === CONFLICT_ROUNDS) {
      throw new ConcurrentWriteError(
        `${pending.length} connection(s) of ${targetLabel(ctx.target)} kept changing under this run; they will be retried next run`,
      );
    }
    const conflicts: Change[] = [];
    const groups = groupChanges(store, pending, ctx.fence);
    // One transaction at a time (see the lease-fence comment at the top).
    for (const group of groups) {
      const result = await writeGroup(store, group, ctx.fence);
      applied.push(...result.applied);
      conflicts.push(...result.conflicts);
    }
    pending = await rediff(store, conflicts, ctx);
  }
  return applied;
}

/** Diffs conflicting connections again, against what is stored now. */
async function rediff(store: Store, conflicts: Change[], ctx: PersistContext): Promise<Change[]> {
  const redone: Change[] = [];
  for (const change of conflicts) {
    const id = change.next.id;
    const fresh = await getState(store, change.next);
    const observed = ctx.observed.filter((o) => o.content.id === id);
    const diff = diffTarget({
      ...ctx,
      stored: new Map(fresh ? [[id, fresh]] : []),
      observed,
      // Only a deletion may be redone as a deletion; an observed connection is simply upserted.
      mayDelete: ctx.mayDelete && change.kind === 'deleted',
    });
    redone.push(...diff.changes);
  }
  return redone;
}
