/**
 * The changed-slices step: connections whose hash differs from the stored index are read in full,
 * normalized again, diffed and persisted, a slice at a time, so a first sync of 10,000s holds one
 * slice of full records, not all. Observed connections only: absence is the vanished step's.
 */
import type { Target } from '../model/schemas.ts';
import type { Store } from '../store/client.ts';
import { loadConnections } from '../store/query.ts';
import type { Fence } from '../store/write.ts';
import { diffTarget } from './diff.ts';
import { observe, type Sighting } from './normalize.ts';
import { persistChanges } from './persist.ts';
import { countChange, type Tally } from './run-record.ts';
import type { StuckAfterMs } from './stuck.ts';
import type { LeaseGuard } from './target-lease.ts';

export interface RunContext {
  target: Target;
  protectedIds: ReadonlySet<string>;
  /** The run's start: the observedAt of every version it writes. */
  now: string;
  runId: string;
  /** Writes only while this run still holds the target's lease (its holder id is the runId). */
  fence: Fence;
  /** PEERING_STUCK_AFTER (lib/sync/stuck.ts); null: off. */
  stuckAfterMs: StuckAfterMs;
}

export const runContext = (
  target: Target,
  run: { runId: string; startedAt: string },
  protectedIds: ReadonlySet<string>,
  stuckAfterMs: StuckAfterMs = null,
): RunContext => ({
  target,
  protectedIds,
  now: run.startedAt,
  runId: run.runId,
  fence: { target, holder: run.runId },
  stuckAfterMs,
});

export async function writeChangedSlices(
  store: Store,
  ctx: RunContext,
  candidates: { changed: readonly Extract<Sighting, { ok: true }>[]; knownIds: ReadonlySet<string> },
  run: { tally: Tally; lease: LeaseGuard; sliceSize: number },
): Promise<void> {
  const { changed, knownIds } = candidates;
  for (let i = 0; i < changed.length; i += run.sliceSize) {
    run.lease.check();
    const part = changed.slice(i, i + run.sliceSize);
    const observed = part.map((s) => observe(ctx.target, s));
    const stored = await loadConnections(
      store,
      ctx.target,
      part.flatMap((s) => (knownIds.has(s.id) ? [s.id] : [])),
    );
    // Absence proves nothing here: the slice holds only observed connections.
    const diff = diffTarget({ ...ctx, stored, observed, mayDelete: false });
    run.tally.unchanged += diff.unchanged;
    const applied = await persistChanges(store, diff.changes, { ...ctx, observed, mayDelete: false });
    for (const c of applied) countChange(run.tally, c);
  }
}
