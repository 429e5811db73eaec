/**
 * Stale targets as alerts. Pure: the newest complete sweep, the open alert (if any) and the clock decide.
 *
 * A target whose newest complete sweep is older than SYNC_STALE_AFTER_INTERVALS schedule intervals
 * is stale: dli-sync is blind to it (the same rule as the StaleTargets metric, lib/sync/fanout.ts).
 * - stale and no open alert → open one: one TARGET_STALE, carrying the last error of its runs;
 * - an open alert and a newer complete sweep that is not stale → close it: one TARGET_RECOVERED;
 * - an open alert whose spell ended and a new one began (a sweep completed, then nothing for N
 *   intervals again, all between two ticks) → close the old one and open the new one;
 * - a target never swept completely is not alerted (as for the metric: a project added a minute ago
 *   would alert before its first sweep; one that can never be swept shows in its run records).
 * A staleness spell is named by the newest complete sweep it is measured from, and so are both
 * events' ids (targetAlertId): concurrent ticks compute the same ids and conditional writes keep one.
 */
import { targetLevelEvent } from '../model/change.ts';
import { targetAlertId } from '../model/event-id.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { ACTIVE, STALE } from '../model/status.ts';
import type { TargetRef } from '../model/target.ts';

export interface StaleInput {
  /** Newest complete sweep's start (ISO), null when none is on record. */
  lastCompleteSweepAt: string | null;
  /** The open alert: the sweep its spell is measured from. Null when none is open. */
  open: { lastCompleteSweepAt: string | null } | null;
  nowMs: number;
  staleAfterMs: number;
}

export interface StaleDecision {
  /** Close the open alert (one TARGET_RECOVERED). */
  close: boolean;
  /** Open an alert for the current spell (one TARGET_STALE). */
  open: boolean;
}

export function decideStale(i: StaleInput): StaleDecision {
  const at = i.lastCompleteSweepAt;
  const stale = at !== null && i.nowMs - Date.parse(at) > i.staleAfterMs;
  // The open alert's spell is over once a newer sweep completed than the one it was measured from.
  const spellOver = i.open !== null && at !== null && at !== i.open.lastCompleteSweepAt;
  const close = i.open !== null && (spellOver || !stale) && at !== null;
  const open = stale && (i.open === null || close);
  return { close, open };
}

/** The TARGET_STALE of the spell measured from `lastCompleteSweepAt`, with its runs' last error. */
export function staleEvent(
  target: TargetRef,
  lastCompleteSweepAt: string | null,
  lastError: { error: string | null; runId: string } | null,
  now: string,
): ChangeEvent {
  return targetLevelEvent('TARGET_STALE', target, {
    id: targetAlertId('TARGET_STALE', target, lastCompleteSweepAt),
    previousStatus: ACTIVE,
    status: STALE,
    error: lastError?.error ?? null,
    detectedAt: now,
    // The run whose error it carries; none: no run of the target recorded one.
    runId: lastError?.runId ?? 'none',
    lastCompleteSweepAt,
  });
}

/**
 * The TARGET_RECOVERED closing the spell measured from `spellFrom`; `sweptAt` is the complete sweep
 * that ended it.
 */
export function recoveredEvent(
  target: TargetRef,
  spellFrom: string | null,
  sweptAt: string | null,
  now: string,
): ChangeEvent {
  return targetLevelEvent('TARGET_RECOVERED', target, {
    id: targetAlertId('TARGET_RECOVERED', target, spellFrom),
    previousStatus: STALE,
    status: ACTIVE,
    error: null,
    detectedAt: now,
    runId: 'none',
    lastCompleteSweepAt: sweptAt,
  });
}
