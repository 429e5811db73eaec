/**
 * The stable identity of an alert, across the events that open, repeat and close it: a paging tool's
 * dedup key (PagerDuty `dedup_key`, JSM `alias`), the subject of an acknowledgement and of a
 * reminder. One per peering (FAILED, STUCK and RECOVERED of one peering share it), one per connection
 * (DELETED), one per target and concern (STALE/RECOVERED, DENIED, held deletions). Pure.
 */
import type { ChangeEvent } from './schemas.ts';

export function alertKey(e: ChangeEvent): string {
  const target = `${e.region}/${e.projectId}`;
  if (e.connectionId === null)
    return targetConcern(e.type) === 'target' ? targetAlertKey(e) : `${target}/${targetConcern(e.type)}`;
  if (e.type === 'CONNECTION_DELETED') return `${target}/${e.connectionId}`;
  return `${target}/${e.connectionId}/${e.peeringKey ?? e.queue ?? e.peerId ?? '?'}`;
}

/** Target-level events of one concern share a key, so a recovery closes what the outage opened. */
function targetConcern(type: ChangeEvent['type']): string {
  return type === 'DELETIONS_HELD' ? 'deletions-held' : type.startsWith('TARGET_') ? 'target' : type;
}

/**
 * The target's own alert (TARGET_STALE / TARGET_DENIED / TARGET_RECOVERED share it): a target-wide
 * outage (lib/notify/outage.ts) triggers it too, so a paging tool shows one incident for "this target
 * is in trouble" and the TARGET_RECOVERED that ends a stale or denied spell resolves it.
 */
export const targetAlertKey = (t: { region: string; projectId: string }): string =>
  `${t.region}/${t.projectId}/target`;
