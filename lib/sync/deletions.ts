/**
 * The shell around the safety fuse: applying deletions as of the sweep that found them, the sweep's
 * fuse step, and the operator's `dli-sync deletions confirm`.
 */

import { randomUUID } from 'node:crypto';
import { ConcurrentWriteError } from '../errors.ts';
import type { Change } from '../model/change.ts';
import type { FusePolicy } from '../model/fuse-policy.ts';
import type { Connection, Target } from '../model/schemas.ts';
import { targetLabel } from '../model/target.ts';
import type { Store } from '../store/client.ts';
import { loadHeld, writeHeld } from '../store/held.ts';
import { acquireLease, releaseLease, startHeartbeat } from '../store/lease.ts';
import { loadConnections } from '../store/query.ts';
import type { Fence } from '../store/write.ts';
import { diffTarget, isLive } from './diff.ts';
import { decideDeletions, type FuseDecision, heldEvent } from './fuse.ts';
import type { Listing } from './listing.ts';
import { persistChanges } from './persist.ts';
import { countChange, type Tally } from './run-record.ts';
import type { RunContext } from './slices.ts';

type TargetRef = Pick<Target, 'region' | 'projectId'>;

/**
 * Tombstones `apply` exactly as the sweep that first found each absent would have: its start time is
 * the deletion's time and its run the event's run, so a confirmed deletion is indistinguishable from
 * an unheld one (same versions, same event ids, same history).
 */
export async function applyDeletions(
  store: Store,
  target: TargetRef,
  stored: ReadonlyMap<string, Connection>,
  apply: FuseDecision['apply'],
  fence: Fence,
): Promise<Change[]> {
  const groups = new Map<string, { heldAt: string; runId: string; ids: string[] }>();
  for (const a of apply) {
    const key = `${a.heldAt}\u0000${a.runId}`;
    const g = groups.get(key) ?? { heldAt: a.heldAt, runId: a.runId, ids: [] };
    g.ids.push(a.id);
    groups.set(key, g);
  }
  const applied: Change[] = [];
  for (const g of groups.values()) {
    const subset = new Map(
      g.ids.flatMap((id) => (stored.has(id) ? [[id, stored.get(id) as Connection]] : [])),
    );
    const ctx = { target, protectedIds: new Set<string>(), now: g.heldAt, runId: g.runId };
    const diff = diffTarget({ ...ctx, stored: subset, observed: [], mayDelete: true });
    applied.push(
      ...(await persistChanges(store, diff.changes, { ...ctx, observed: [], mayDelete: true, fence })),
    );
  }
  return applied;
}

/**
 * The vanished step of a sync run: what the complete sweep no longer lists goes through the fuse,
 * applied or held; applied deletions are counted. Returns how many deletions stay held.
 */
export async function deleteVanished(
  store: Store,
  ctx: RunContext,
  sweep: {
    index: ReadonlyMap<string, { status: string }>;
    vanished: readonly string[];
    listed: Pick<Listing, 'seen' | 'protectedIds' | 'mayDelete'>;
    policy: FusePolicy;
  },
  tally: Tally,
): Promise<number> {
  const { listed } = sweep;
  const fuse = await sweepDeletions(store, {
    ...ctx,
    index: sweep.index,
    vanished: sweep.vanished,
    // Quarantined ids were listed too: the fuse releases a held one it sees.
    seen: new Set([...listed.seen.keys(), ...listed.protectedIds]),
    mayDelete: listed.mayDelete,
    policy: sweep.policy,
  });
  for (const c of fuse.applied) countChange(tally, c);
  return fuse.held;
}

interface FuseStep {
  applied: Change[];
  held: number;
}

/**
 * Decide with the fuse (weighing the vanished against the target's live
 * connections in the stored index), tombstone what applies, store what is held.
 */
async function sweepDeletions(
  store: Store,
  input: {
    target: TargetRef;
    index: ReadonlyMap<string, { status: string }>;
    vanished: readonly string[];
    seen: ReadonlySet<string>;
    mayDelete: boolean;
    policy: FusePolicy;
    now: string;
    runId: string;
    fence: Fence;
  },
): Promise<FuseStep> {
  const [held, stored] = await Promise.all([
    loadHeld(store, input.target),
    loadConnections(store, input.target, input.vanished),
  ]);
  let live = 0;
  for (const c of input.index.values()) if (isLive(c)) live++;
  const decision = decideDeletions({
    ...input,
    live,
    vanished: input.vanished.map((id) => ({ id, name: stored.get(id)?.name ?? null })),
    held,
  });
  const applied = await applyDeletions(store, input.target, stored, decision.apply, input.fence);
  const event = decision.newHold ? heldEvent(input.target, decision.hold.length, input) : null;
  if (decision.hold.length > 0 || decision.release.length > 0 || event) {
    await writeHeld(store, { hold: decision.hold, release: decision.release, event }, input.fence);
  }
  // What stays held: this run's holds, or, when it could not prove absence, what was held before.
  const stillHeld = input.mayDelete ? decision.hold.length : held.length - decision.release.length;
  return { applied, held: stillHeld };
}

export interface ConfirmResult {
  /** Connections tombstoned now. */
  deleted: number;
  events: number;
  /** Held items removed (the deleted ones, and any whose connection is no longer live). */
  released: number;
}

/**
 * `dli-sync deletions confirm`: applies every deletion held for the target. Under the target's lease
 * (a sweep must not run meanwhile) and fenced like a sweep's writes.
 */
export async function confirmDeletions(
  store: Store,
  target: TargetRef,
  lease: { durationMs: number; periodMs: number },
): Promise<ConfirmResult> {
  const runId = randomUUID();
  const where = targetLabel(target);
  if (!(await acquireLease(store, target, runId, Date.now(), lease.durationMs))) {
    throw new ConcurrentWriteError(
      `a sync of ${where} holds its lease; nothing was confirmed, try again in a minute`,
    );
  }
  const heartbeat = startHeartbeat(store, target, runId, lease);
  const fence = { target, holder: runId };
  try {
    const held = await loadHeld(store, target);
    const stored = await loadConnections(
      store,
      target,
      held.map((h) => h.connectionId),
    );
    // A held connection whose state is no longer live (already a tombstone) only loses its held item.
    const apply = held
      .filter((h) => {
        const c = stored.get(h.connectionId);
        return c !== undefined && isLive(c);
      })
      .map((h) => ({ id: h.connectionId, heldAt: h.heldAt, runId: h.runId }));
    const applied = await applyDeletions(store, target, stored, apply, fence);
    if (heartbeat.lost) throw new ConcurrentWriteError(heartbeat.lost);
    await writeHeld(store, { hold: [], release: held.map((h) => h.connectionId), event: null }, fence);
    return {
      deleted: applied.length,
      events: applied.reduce((n, c) => n + c.events.length, 0),
      released: held.length,
    };
  } finally {
    heartbeat.stop();
    await releaseLease(store, target, runId).catch(() => undefined);
  }
}
