/**
 * The stable identity of an alert, across the events that open, repeat and close it: a paging tool's
 * dedup key (PagerDuty `dedup_key`, JSM `alias`), the subject of an acknowledgement and of a
 * reminder. One per peering (FAILED, STUCK and RECOVERED of one peering share it), one per connection
 * (DELETED), one per target and concern (STALE/RECOVERED, DENIED, held deletions). Pure.
 */
import type { ChangeEvent } from './schemas.ts';

export function alertKey(e: ChangeEvent): string {
  const target = `${e.region}/${e.projectId}`;
  if (e.connectionId === null) return `${target}/${targetConcern(e.type)}`;
  if (e.type === 'CONNECTION_DELETED') return `${target}/${e.connectionId}`;
  return `${target}/${e.connectionId}/${e.peeringKey ?? e.queue ?? e.peerId ?? '?'}`;
}

/** Target-level events of one concern share a key, so a recovery closes what the outage opened. */
function targetConcern(type: ChangeEvent['type']): string {
  return type === 'DELETIONS_HELD' ? 'deletions-held' : type.startsWith('TARGET_') ? 'target' : type;
}
