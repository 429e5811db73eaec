/**
 * Flap suppression and the failure a recovery closes, decided from the connection's history
 * versions. Pure; history.ts fetches the versions.
 *
 * Why history and not events: every history version holds every peering's status, so one Query on
 * the connection's partition (PK CONN#{id}, SK by observedAt) gives a peering's whole timeline,
 * and the failure event's id can be recomputed from the version that made it (event ids are
 * deterministic), with no scan of the events index.
 *
 * Rule (threshold N, window W): a peering that failed more than N times within W is flapping.
 * - the failure that makes the count exceed N is posted as one "flapping" message;
 * - later failures and recoveries while the count in the window stays above N are suppressed;
 * - once a window passes without exceeding N, messages are normal again.
 * The decision only looks at versions up to the event's own, so a retried delivery decides the same.
 */

import { eventId } from '../model/event-id.ts';
import { byPeeringKey } from '../model/peering-key.ts';
import type { ChangeEvent, HistoryVersion } from '../model/schemas.ts';
import { DELETED, FAILED } from '../model/status.ts';
import type { FlapPolicy } from './config.ts';
import type { OriginalAlert } from './message.ts';

export interface PeeringPoint {
  version: number;
  at: string;
  /** null: the peering is not there (or the connection is deleted). */
  status: string | null;
}

export type FlapDecision =
  | { kind: 'normal' }
  | { kind: 'flapping'; failures: number }
  | { kind: 'suppressed'; failures: number };

export type PeeringEvent = ChangeEvent & {
  type: 'PEERING_FAILED' | 'PEERING_RECOVERED';
  connectionId: string;
  connectionVersion: number;
};

/** Peering events always name their connection and version; target-level events (DELETIONS_HELD) do not. */
export const isPeeringEvent = (e: ChangeEvent): e is PeeringEvent =>
  (e.type === 'PEERING_FAILED' || e.type === 'PEERING_RECOVERED') &&
  e.connectionId !== null &&
  e.connectionVersion !== null;

/** The event's peering key; events stored before it existed name a queue, which was their key. */
const keyOf = (e: ChangeEvent): string | null => e.peeringKey ?? e.queue;

/** The peering's status in each version, oldest first, up to the event's own version. */
export function peeringTimeline(history: readonly HistoryVersion[], e: ChangeEvent): PeeringPoint[] {
  if (!isPeeringEvent(e)) return [];
  return history
    .filter((h) => h.version <= e.connectionVersion)
    .sort((a, b) => a.version - b.version)
    .map((h) => {
      const list = e.resourceKind === 'elasticResourcePool' ? h.elasticResourcePools : h.peerings;
      const key = keyOf(e);
      const peering = h.status === DELETED || key === null ? undefined : byPeeringKey(list).get(key);
      return { version: h.version, at: h.observedAt, status: peering?.status ?? null };
    });
}

/**
 * Times the peering became FAILED. The oldest point counts only when it is the connection's first
 * version: otherwise its predecessor is unknown.
 */
function failureTimes(points: readonly PeeringPoint[]): number[] {
  return points.flatMap((p, i) => {
    const prev = i === 0 ? (p.version === 1 ? null : FAILED) : points[i - 1]?.status;
    return p.status === FAILED && prev !== FAILED ? [Date.parse(p.at)] : [];
  });
}

const countIn = (times: readonly number[], end: number, windowMs: number): number =>
  times.filter((t) => t > end - windowMs && t <= end).length;

export function decideFlap(
  e: ChangeEvent,
  points: readonly PeeringPoint[],
  policy: FlapPolicy | null,
): FlapDecision {
  if (!policy || !isPeeringEvent(e)) return { kind: 'normal' };
  const t = Date.parse(e.detectedAt);
  const times = failureTimes(points).filter((x) => x <= t);
  const failures = countIn(times, t, policy.windowMs);
  if (failures <= policy.threshold) return { kind: 'normal' };
  if (e.type === 'PEERING_RECOVERED') return { kind: 'suppressed', failures };
  // Was flapping already announced by an earlier failure still inside this window?
  const announced = times.some(
    (f) => f < t && f > t - policy.windowMs && countIn(times, f, policy.windowMs) > policy.threshold,
  );
  return announced ? { kind: 'suppressed', failures } : { kind: 'flapping', failures };
}

/** The PEERING_FAILED alert a recovery closes: the first version of the FAILED streak before it. */
export function originalFailure(e: ChangeEvent, points: readonly PeeringPoint[]): OriginalAlert | null {
  if (e.type !== 'PEERING_RECOVERED' || !isPeeringEvent(e)) return null;
  let i = points.findIndex((p) => p.version === e.connectionVersion) - 1;
  if (i < 0 || points[i]?.status !== FAILED) return null;
  while (i > 0 && points[i - 1]?.status === FAILED) i--;
  const start = points[i];
  // A streak reaching the oldest fetched version started earlier unless that is version 1.
  if (!start || (i === 0 && start.version !== 1)) return null;
  return {
    id: eventId('PEERING_FAILED', e.connectionId, e.resourceKind, keyOf(e), start.version),
    at: start.at,
  };
}

/** Does a newest-first slice of history reach back far enough for both decisions? */
export function historyIsEnough(
  e: ChangeEvent,
  newestFirst: readonly HistoryVersion[],
  policy: FlapPolicy | null,
): boolean {
  const oldest = newestFirst[newestFirst.length - 1];
  if (!oldest || oldest.version === 1) return true;
  const t = Date.parse(e.detectedAt);
  const windowCovered = !policy || Date.parse(oldest.observedAt) <= t - policy.windowMs;
  if (!windowCovered) return false;
  if (e.type !== 'PEERING_RECOVERED') return true;
  const points = peeringTimeline(newestFirst, e);
  const own = points.findIndex((p) => p.version === e.connectionVersion);
  // The event's own version is gone (TTL): older history will not help.
  if (own < 0 || originalFailure(e, points) !== null) return true;
  const before = points[own - 1];
  return before !== undefined && before.status !== FAILED;
}

export const needsHistory = (e: ChangeEvent, policy: FlapPolicy | null): boolean =>
  isPeeringEvent(e) && (policy !== null || e.type === 'PEERING_RECOVERED');
