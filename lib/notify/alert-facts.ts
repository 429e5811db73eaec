/**
 * What the stuck, stale and hint parts of #14 add to a message: the cause-hint facts, the facts of
 * target-level alerts, and what a message does to its alert in a paging tool. Pure; message.ts uses it.
 */
import { alertKey } from '../model/alert-key.ts';
import { stuckEventId } from '../model/event-id.ts';
import { eventHint } from '../model/hints.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { CREATING } from '../model/status.ts';
import type { Fact, Message } from './message.ts';

/** "Likely cause", "Next step" and the FAQ link, when the table recognizes the error; else nothing. */
export function hintFacts(e: ChangeEvent): Fact[] {
  const hint = eventHint(e);
  if (!hint) return [];
  return [
    { label: 'Likely cause', value: hint.cause },
    { label: 'Next step', value: hint.action },
    { label: 'DLI FAQ', value: hint.link },
  ];
}

const TRIGGERS = new Set<ChangeEvent['type']>([
  'PEERING_FAILED',
  'PEERING_STUCK',
  'TARGET_STALE',
  'TARGET_DENIED',
  'CONNECTION_DELETED',
  'DELETIONS_HELD',
]);
const RESOLVES = new Set<ChangeEvent['type']>(['PEERING_RECOVERED', 'TARGET_RECOVERED']);

/**
 * For paging tools: a failure, stuck or stale alert triggers, a recovery resolves the same alert key
 * (a stuck peering and its failure share the peering's key, lib/model/alert-key.ts). Other types are
 * left to the paging channel's own rules.
 */
export function pagingFields(e: ChangeEvent): Pick<Message, 'action' | 'alertKey'> {
  if (TRIGGERS.has(e.type)) return { action: 'trigger', alertKey: alertKey(e) };
  if (RESOLVES.has(e.type)) return { action: 'resolve', alertKey: alertKey(e) };
  return {};
}

/** The alert a recovery from CREATING closes: its PEERING_STUCK id is recomputed (deterministic). */
export function stuckOriginal(e: ChangeEvent): { id: string; since: string } | null {
  if (e.type !== 'PEERING_RECOVERED' || e.previousStatus !== CREATING || !e.creatingSince) return null;
  if (e.connectionId === null) return null;
  return {
    id: stuckEventId(e.connectionId, e.resourceKind, e.peeringKey ?? e.queue, e.creatingSince),
    since: e.creatingSince,
  };
}

/** Minutes between two ISO instants, for "CREATING for 23 minutes". */
export const minutesBetween = (from: string, to: string): number =>
  Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
