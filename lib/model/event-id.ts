/**
 * Event ids. Deterministic: the same transition always gets the same id, so a retried write
 * collides with the first instead of duplicating, and a notifier that re-reads an event finds it.
 */
import { createHash } from 'node:crypto';

const digestId = (parts: readonly string[]): string =>
  `evt_${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 26)}`;

/**
 * A connection or peering event. Made from the peering key, which is the queue name for a named
 * entry, so ids of named peerings are what they were before nameless entries were kept.
 */
export const eventId = (
  type: string,
  connectionId: string,
  resourceKind: string | null,
  peeringKey: string | null,
  version: number,
): string => digestId([type, connectionId, resourceKind ?? '', peeringKey ?? '', String(version)]);

/**
 * The one DELETIONS_HELD event of a hold: from the target and the run that started the hold, so the
 * runs that keep the hold do not post it again.
 */
export const heldEventId = (target: { region: string; projectId: string }, runId: string): string =>
  digestId(['DELETIONS_HELD', target.region, target.projectId, runId]);

/**
 * A target-state event (TARGET_DENIED, TARGET_RECOVERED): from the target, the type and the run that
 * saw the change, so a retried write of that run collides and later runs in the same state write none.
 */
export const targetEventId = (
  type: string,
  target: { region: string; projectId: string },
  runId: string,
): string => digestId([type, target.region, target.projectId, runId]);

/**
 * A PEERING_STUCK event: from the peering and the start of its CREATING spell, not from a version, so
 * whichever run or retry finds it stuck writes the same id (attribute_not_exists makes it once), and a
 * recovery can name the stuck alert it closes.
 */
export const stuckEventId = (
  connectionId: string,
  resourceKind: string | null,
  peeringKey: string | null,
  creatingSince: string,
): string => digestId(['PEERING_STUCK', connectionId, resourceKind ?? '', peeringKey ?? '', creatingSince]);

/**
 * TARGET_STALE and its TARGET_RECOVERED: from the target and the newest complete sweep the staleness
 * is measured from (one staleness spell per such sweep), so concurrent scheduled ticks write one each.
 */
export const targetAlertId = (
  type: 'TARGET_STALE' | 'TARGET_RECOVERED',
  target: { region: string; projectId: string },
  lastCompleteSweepAt: string | null,
): string => digestId([type, target.region, target.projectId, lastCompleteSweepAt ?? '']);
