/**
 * The sync's side of the target registry: record the resolved list (new, returning, retired targets)
 * before a tick sweeps it, and record what a run learned about its target's reachability.
 */

import type { RunRecord, Target } from '../model/schemas.ts';
import type { ResolvedTarget, TargetState } from '../model/target.ts';
import { planRegistry, stateAfterRun, targetStateEvent } from '../model/target-registry.ts';
import type { Store } from '../store/client.ts';
import { loadRegistry, putRegistered, writeTargetState } from '../store/targets.ts';
import type { Resolution } from './resolve.ts';

/**
 * DLI_TARGETS as resolved targets: explicit, default credential, no project name. Discovery
 * (`resolveTargets`) replaces this with its own list; the sync takes either.
 */
export const resolvedFromConfig = (targets: readonly Target[]): ResolvedTarget[] =>
  targets.map((t) => ({ ...t, projectName: null, account: null, source: 'explicit' }));

/**
 * Writes what changed in the registry for this resolved list (nothing when nothing did): one Query
 * and, only for new, returning, changed or retired targets, one Put each. Returns how many it wrote.
 */
export async function recordTargets(
  store: Store,
  resolved: readonly ResolvedTarget[],
  now: Date,
): Promise<number> {
  const writes = planRegistry(await loadRegistry(store), resolved, now.toISOString());
  await putRegistered(store, writes);
  return writes.length;
}

/**
 * Records a resolution in the registry: its targets, and every target it no longer names as retired.
 * Only a whole list is recorded: an account whose discovery failed with nothing cached would
 * otherwise look as if all its projects were gone. Returns the writes (0 when skipped).
 */
export async function recordResolution(
  store: Store,
  resolution: Pick<Resolution, 'targets' | 'problems'>,
  now: Date,
): Promise<number> {
  if (!resolution.problems.every((p) => p.keptCached)) return 0;
  return recordTargets(store, resolution.targets, now);
}

/**
 * After a run: a state change (denied / not-enabled begins, or ends with a complete sweep) is written
 * with its one event, fenced by the run's lease. `previous` is the registry's state read at the start.
 */
export async function noteReachability(
  store: Store,
  target: Target,
  previous: TargetState | null,
  run: Pick<RunRecord, 'runId' | 'startedAt' | 'outcome' | 'error'> & { state?: RunRecord['state'] },
): Promise<void> {
  const observed = run.state ?? (run.outcome === 'complete' ? 'active' : null);
  const change = stateAfterRun(previous, observed);
  if (!change) return;
  const event =
    change.event &&
    targetStateEvent({
      type: change.event,
      target,
      previous,
      state: change.state,
      error: change.event === 'TARGET_DENIED' ? run.error : null,
      runId: run.runId,
      detectedAt: run.startedAt,
    });
  await writeTargetState(
    store,
    { target, state: change.state, at: run.startedAt, event },
    { target, holder: run.runId },
  );
}
