/**
 * One sync: for each target, the recipe below, and a run record either way. This is the function the
 * Lambda handler and the CLI both call. Each step is its own small module; this file only names them.
 */
import { mapLimit } from '../concurrency.ts';
import type { SyncConfig } from '../config.ts';
import { reachabilityOf } from '../dli/reachability.ts';
import { DEFAULT_FUSE } from '../model/fuse-policy.ts';
import type { RunRecord, Target } from '../model/schemas.ts';
import type { Store } from '../store/client.ts';
import { loadTargetIndex } from '../store/query.ts';
import { getTargetState } from '../store/targets.ts';
import { deleteVanished } from './deletions.ts';
import { selectCandidates } from './diff.ts';
import { listingOf, type SweepFn, sweepListing } from './listing.ts';
import { renewExpiringChunks } from './renew-chunks.ts';
import { completeSweep, incompleteSweep, openRun, type Progress, startTally } from './run-record.ts';
import { runContext, writeChangedSlices } from './slices.ts';
import { DEFAULT_STUCK_AFTER_MS } from './stuck.ts';
import { leaseTiming, underTargetLease } from './target-lease.ts';
import { noteReachability } from './targets.ts';

export type { Progress } from './run-record.ts';

/** Changed connections normalized, diffed and written at a time (bounds a first sync's memory). */
const SLICE = 1_000;

export interface SyncDeps {
  store: Store;
  /** The observation clock (timestamps of versions, events, runs, chunk TTLs); tests pin it. */
  now?: () => Date;
  onProgress?: (p: Progress) => void;
  /** Changed connections written per slice (default SLICE); tests shrink it to cross slice boundaries. */
  sliceSize?: number;
  /** The fetch step; replaceable only to inject faults the emulator cannot produce. */
  sweep?: SweepFn;
}

export interface SyncSummary {
  runs: RunRecord[];
  /**
   * True when every target's sweep completed and its changes were stored, or DLI said the target is
   * denied / not enabled (a state, recorded and reported once, not a failure).
   */
  ok: boolean;
}

/** A run that counts as done for the exit code and the failure metric. */
export const runOk = (r: RunRecord): boolean => r.outcome === 'complete' || r.state !== undefined;

export async function syncAll(config: SyncConfig, deps: SyncDeps): Promise<SyncSummary> {
  const runs = await mapLimit(config.targets, config.targetConcurrency, (t) => syncTarget(config, t, deps));
  return { runs, ok: runs.every(runOk) };
}

export async function syncTarget(config: SyncConfig, target: Target, deps: SyncDeps): Promise<RunRecord> {
  const { store } = deps;
  const run = openRun(store, target, deps.now ?? (() => new Date()), deps.onProgress);
  return underTargetLease(store, target, run, leaseTiming(config), async (lease) => {
    // The stored index is read while the API is swept: independent, and the sweep is API-bound.
    const indexRead = loadTargetIndex(store, target);
    indexRead.catch(() => undefined); // an incomplete sweep never looks at it
    const stateRead = getTargetState(store, target);
    stateRead.catch(() => undefined);
    const sweep = await lease.race(sweepListing(config, target, deps.sweep));
    // All or nothing: a partial view must not tombstone what it missed, and events from it could not
    // be told apart from those of the next complete sweep. Only the run record is written (and, when
    // DLI said the target is closed to us, its state with one event when that is news).
    if (!sweep.complete) {
      const state = reachabilityOf(sweep.error && { ...sweep.error.details, message: sweep.error.message });
      const fields = { ...incompleteSweep(sweep), ...(state ? { state } : {}) };
      if (state)
        await noteReachability(store, target, await stateRead, {
          ...run,
          ...fields,
          outcome: 'incomplete',
          error: fields.error ?? null,
          state,
        });
      return run.close(fields);
    }
    const listed = listingOf(sweep.records);
    const index = await indexRead;
    // null is PEERING_STUCK_AFTER=off; only an absent setting takes the default.
    const afterMs = config.stuckAfterMs === undefined ? DEFAULT_STUCK_AFTER_MS : config.stuckAfterMs;
    const stuck = { now: run.startedAt, afterMs };
    const { seen, protectedIds, mayDelete } = listed;
    const candidates = selectCandidates(index, seen.values(), protectedIds, mayDelete, stuck);
    const ctx = runContext(target, run, protectedIds, stuck.afterMs);
    const tally = startTally(candidates.unchanged);
    await writeChangedSlices(store, ctx, candidates, { tally, lease, sliceSize: deps.sliceSize ?? SLICE });
    lease.check();
    const vanished = { index, vanished: candidates.vanished, listed, policy: config.fuse ?? DEFAULT_FUSE };
    const held = await deleteVanished(store, ctx, vanished, tally);
    lease.check();
    await renewExpiringChunks(store, ctx, index, listed.seen);
    lease.check();
    await noteReachability(store, target, await stateRead, { ...run, outcome: 'complete', error: null });
    return run.close(completeSweep(sweep, listed, tally, held));
  });
}
