/**
 * The registry of known targets: every target configuration or discovery ever resolved, its source,
 * its reachability state, when it was first seen and when it retired. The rules are pure: what to
 * write when the resolved list arrives (only what changed: an unchanged estate writes nothing), and
 * what a run's answer does to a target's state (one event per change, never one per run).
 */
import { targetLevelEvent } from './change.ts';
import { targetEventId } from './event-id.ts';
import type { ChangeEvent } from './schemas.ts';
import {
  type ResolvedTarget,
  type TargetRef,
  type TargetSource,
  type TargetState,
  targetSpec,
} from './target.ts';

export interface RegisteredTarget extends TargetRef {
  projectName: string | null;
  account: string | null;
  source: TargetSource;
  state: TargetState;
  /** When the current state began (ISO). */
  stateSince: string;
  firstSeenAt: string;
  /** Set while retired: when the target left the resolved list. */
  retiredAt: string | null;
}

const sameMeta = (s: RegisteredTarget, r: ResolvedTarget): boolean =>
  s.projectName === r.projectName && s.account === r.account && s.source === r.source;

/**
 * The registry items to write for a newly resolved list: new targets (active), returning ones
 * (active again), changed source/account/name, and targets no longer resolved (retired). A retired
 * target's connections stay as they are: it is simply never swept, so nothing can tombstone them.
 */
export function planRegistry(
  stored: readonly RegisteredTarget[],
  resolved: readonly ResolvedTarget[],
  now: string,
): RegisteredTarget[] {
  const known = new Map(stored.map((s) => [targetSpec(s), s]));
  const wanted = new Set(resolved.map(targetSpec));
  const writes: RegisteredTarget[] = [];
  for (const r of resolved) {
    const s = known.get(targetSpec(r));
    const meta = { projectName: r.projectName, account: r.account, source: r.source };
    if (!s) {
      writes.push({
        region: r.region,
        projectId: r.projectId,
        ...meta,
        state: 'active',
        stateSince: now,
        firstSeenAt: now,
        retiredAt: null,
      });
    } else if (s.state === 'retired') {
      writes.push({ ...s, ...meta, state: 'active', stateSince: now, retiredAt: null });
    } else if (!sameMeta(s, r)) {
      writes.push({ ...s, ...meta });
    }
  }
  for (const s of stored) {
    if (s.state !== 'retired' && !wanted.has(targetSpec(s)))
      writes.push({ ...s, state: 'retired', stateSince: now, retiredAt: now });
  }
  return writes;
}

/** What one run observed: swept (`active`), closed to us, or nothing to say (a real error, skipped). */
export type Observed = 'active' | 'denied' | 'not-enabled' | null;

export interface StateChange {
  state: TargetState;
  event: 'TARGET_DENIED' | 'TARGET_RECOVERED' | null;
}

/**
 * A target's state after a run, or null when nothing is to be written. Denied / not-enabled is
 * reported when it begins or changes kind; a complete sweep of a denied or not-enabled target ends it
 * with a recovery (which closes the denial's alert). A real error says nothing about reachability.
 * A target without a registry item (`previous` null) that is swept stays without one: the registry
 * is written by recordTargets, not by every run.
 */
export function stateAfterRun(previous: TargetState | null, observed: Observed): StateChange | null {
  if (observed === null) return null;
  if (observed === 'active') {
    return previous === 'denied' || previous === 'not-enabled'
      ? { state: 'active', event: 'TARGET_RECOVERED' }
      : null;
  }
  return previous === observed ? null : { state: observed, event: 'TARGET_DENIED' };
}

/** A target state as an event's `status` (upper-case, like every other status). */
export const TARGET_STATUS: Record<TargetState, string> = {
  active: 'ACTIVE',
  denied: 'DENIED',
  'not-enabled': 'NOT_ENABLED',
  retired: 'RETIRED',
};

/** The target-level event of a state change (connection fields null, like DELETIONS_HELD). */
export function targetStateEvent(o: {
  type: 'TARGET_DENIED' | 'TARGET_RECOVERED';
  target: TargetRef;
  previous: TargetState | null;
  state: TargetState;
  error: string | null;
  runId: string;
  detectedAt: string;
}): ChangeEvent {
  return targetLevelEvent(o.type, o.target, {
    id: targetEventId(o.type, o.target, o.runId),
    previousStatus: o.previous === null ? null : TARGET_STATUS[o.previous],
    status: TARGET_STATUS[o.state],
    error: o.error,
    detectedAt: o.detectedAt,
    runId: o.runId,
  });
}
