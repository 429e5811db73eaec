/**
 * Stuck peerings. Pure: the stored state, the new state and the clock decide.
 *
 * DLI's FAQ (dli_03_0257) says a binding may sit in CREATING for 5-10 minutes after its queue is
 * created or its CIDR changes; one CREATING for longer than PEERING_STUCK_AFTER (default 15 minutes)
 * is a failure nobody sees. Rule:
 * - a CREATING peering whose creatingSince is at least `afterMs` before the sweep, and that has no
 *   `stuckAt` yet, is marked `stuckAt = now` and emits one PEERING_STUCK;
 * - `stuckAt` is carried while the peering stays CREATING (diff.ts withCreatingSince), so the alert is
 *   not repeated; it is dropped with creatingSince when the status changes;
 * - CREATING (marked) → ACTIVE emits PEERING_RECOVERED with previousStatus CREATING; CREATING → FAILED
 *   emits PEERING_FAILED as always; a peering never marked emits nothing on becoming ACTIVE.
 *
 * Why exactly once: the mark and the event are written in one transaction with the connection's
 * version condition (a stuck peering's content does not change, so the mark makes a version of its
 * own); after it the stored `stuckCheckFrom` (lib/model/stuck-marker.ts) no longer names that spell,
 * so later runs neither read nor write the connection for it. The event id comes from the peering and
 * its creatingSince (stuckEventId), so a retried or raced write collides instead of duplicating.
 */
import type { ConnectionContent, Peering } from '../model/schemas.ts';
import { CREATING } from '../model/status.ts';

/** Off (null) or the time a peering may stay CREATING before it counts as stuck. */
export type StuckAfterMs = number | null;

/** 15 minutes: past the 5-10 minutes DLI's FAQ gives a binding after a queue change. */
export const DEFAULT_STUCK_AFTER_MS = 15 * 60_000;

/** Has `since` been at least `afterMs` before `now`? ISO-8601 instants. */
export function isStuckDue(since: string | null | undefined, now: string, afterMs: StuckAfterMs): boolean {
  if (afterMs === null || afterMs <= 0 || !since) return false;
  return Date.parse(now) - Date.parse(since) >= afterMs;
}

/** `p` marked stuck when it is due and not yet marked. */
const mark = (p: Peering, now: string, afterMs: StuckAfterMs): Peering =>
  p.status === CREATING && (p.stuckAt ?? null) === null && isStuckDue(p.creatingSince, now, afterMs)
    ? { ...p, stuckAt: now }
    : p;

/**
 * `content` (creatingSince and stuckAt already carried from the stored state) with every peering that
 * crossed the threshold at `now` marked; `newly` counts them.
 */
export function markStuck<T extends ConnectionContent>(
  content: T,
  now: string,
  afterMs: StuckAfterMs,
): { content: T; newly: number } {
  if (afterMs === null || afterMs <= 0) return { content, newly: 0 };
  let newly = 0;
  const marked = (list: readonly Peering[]): Peering[] =>
    list.map((p) => {
      const m = mark(p, now, afterMs);
      if (m !== p) newly++;
      return m;
    });
  const peerings = marked(content.peerings);
  const elasticResourcePools = marked(content.elasticResourcePools);
  return newly === 0
    ? { content, newly }
    : { content: { ...content, peerings, elasticResourcePools }, newly };
}
