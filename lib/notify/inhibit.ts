/**
 * Inhibition: alerts that are noise because a bigger one stands for them. Pure.
 *
 * A connection that is DELETED takes its peerings with it: a PEERING_FAILED of that connection not
 * yet sent when the connection is already deleted tells nobody anything the deletion message does
 * not. The sync never emits failures from a deleted version ("peerings of a deleted connection are
 * history"), so what reaches the notifier is a failure detected before the deletion run and still
 * unsent: in the same delivery batch as the deletion, or in a later batch (a lagging or retried
 * notifier, a redeliver) while the store says the connection is still deleted. A failure from a
 * version after the deletion means the connection came back: it is news again and is sent.
 *
 * An inhibited event is recorded (`inhibitedBy` = the deletion event's id, and a `suppressed`
 * delivery record with via `inhibited`), never silently dropped: the deletion message stands for it.
 */
import type { ChangeEvent } from '../model/schemas.ts';
import type { ChannelConfig } from './config.ts';
import { type DeliveryMap, isPending, type Mode } from './record.ts';
import { routes } from './routing.ts';

/** A connection's deletion: the CONNECTION_DELETED event and the version it was made at. */
export interface Deletion {
  eventId: string;
  version: number;
}

/** eventId → the deletion event that stands for it. `stored`: deletions the store knows, by connection id. */
export function inhibitedByDeletion(
  events: readonly ChangeEvent[],
  stored: ReadonlyMap<string, Deletion>,
): Map<string, string> {
  const deletions = new Map(stored);
  for (const e of events) {
    if (e.type !== 'CONNECTION_DELETED' || e.connectionId === null || e.connectionVersion === null) continue;
    const known = deletions.get(e.connectionId);
    // The newest deletion is the one that holds now.
    if (!known || known.version < e.connectionVersion)
      deletions.set(e.connectionId, { eventId: e.id, version: e.connectionVersion });
  }
  const out = new Map<string, string>();
  for (const e of events) {
    if (e.type !== 'PEERING_FAILED' || e.connectionId === null || e.connectionVersion === null) continue;
    const d = deletions.get(e.connectionId);
    if (d && d.version > e.connectionVersion) out.set(e.id, d.eventId);
  }
  return out;
}

/** The inhibited events a channel still owes a record for (routed to it, not yet done). */
export const inhibitedFor = (
  channel: ChannelConfig,
  events: readonly ChangeEvent[],
  inhibited: ReadonlyMap<string, string>,
  state: ReadonlyMap<string, DeliveryMap>,
  mode: Mode,
): string[] =>
  events
    .filter(
      (e) => inhibited.has(e.id) && routes(channel, e) && isPending(state.get(e.id)?.[channel.name], mode),
    )
    .map((e) => e.id);
