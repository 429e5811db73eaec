/**
 * Which reminders are due, decided without I/O (lib/sync/remind.ts reads and writes).
 *
 * - Periodic: an alert that stays open (a peering still FAILED) and is not acknowledged gets a
 *   reminder every `remindAfterMs` after it opened, at most one per interval: the n-th interval's
 *   reminder has a deterministic id, and none is due when a reminder of the alert was already made
 *   since that interval began.
 * - Silence ended: when a silence ends and an alert it matched is still open (a peering still
 *   FAILED, a connection still DELETED), exactly one reminder (id from the silence and the alert).
 *   It counts as its interval's periodic reminder. Deletions only get it when they were detected
 *   inside the window (an old tombstone is not an alert anyone waits on).
 * - Nothing while a silence holds the alert, nothing once it is acknowledged, at most one reminder
 *   per alert per call.
 */
import { createHash } from 'node:crypto';
import type { ChangeEvent, ReminderInfo } from '../model/schemas.ts';
import { isActive, type Silence, selectorMatches } from '../model/silence.ts';

export interface OpenAlert {
  /** The event that opened the alert, as stored (acknowledgement fields included). */
  event: ChangeEvent;
  alertKey: string;
  /** A FAILED peering gets periodic reminders; a DELETED connection only the silence-end one. */
  periodic: boolean;
}

/** A reminder already made: its id, the alert's opening event, and when it was made. */
export interface MadeReminder {
  id: string;
  of: string;
  at: string;
}

export interface ReminderConfig {
  /** 0 = periodic reminders off. */
  remindAfterMs: number;
  /** A silence that ended longer ago than this is not looked at any more (missed runs catch up within it). */
  silenceLookbackMs: number;
}

export const reminderId = (parts: readonly string[]): string =>
  `rem_${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 26)}`;

function reminderEvent(
  a: OpenAlert,
  info: Omit<ReminderInfo, 'of' | 'alertKey' | 'openSince'>,
  id: string,
  now: string,
): ChangeEvent {
  const { reminder: _r, ...opening } = a.event;
  return {
    ...opening,
    id,
    detectedAt: now,
    runId: 'reminder',
    silencedBy: null,
    reminder: { ...info, of: a.event.id, alertKey: a.alertKey, openSince: a.event.detectedAt },
  };
}

export function dueReminders(
  open: readonly OpenAlert[],
  silences: readonly Silence[],
  made: readonly MadeReminder[],
  now: number,
  config: ReminderConfig,
): ChangeEvent[] {
  const at = new Date(now).toISOString();
  const madeIds = new Set(made.map((m) => m.id));
  const lastOf = new Map<string, string>();
  for (const m of made) if ((lastOf.get(m.of) ?? '') < m.at) lastOf.set(m.of, m.at);
  const out: ChangeEvent[] = [];
  for (const a of open) {
    const e = a.event;
    if (e.acknowledgedAt !== null) continue;
    if (silences.some((s) => isActive(s, at) && selectorMatches(s.match, e))) continue;
    const ended = silences
      .filter(
        (s) =>
          s.endsAt <= at &&
          now - Date.parse(s.endsAt) <= config.silenceLookbackMs &&
          e.detectedAt < s.endsAt &&
          (a.periodic || e.detectedAt >= s.startsAt) &&
          // Overlapping silences ending together: the first one's reminder covers the rest.
          (lastOf.get(e.id) ?? '') < s.endsAt &&
          selectorMatches(s.match, e),
      )
      .map((s) => ({ s, id: reminderId(['silence-ended', s.id, e.id]) }))
      .find(({ id }) => !madeIds.has(id));
    if (ended) {
      out.push(reminderEvent(a, { kind: 'silence-ended', silenceId: ended.s.id }, ended.id, at));
      continue;
    }
    if (!a.periodic || config.remindAfterMs <= 0) continue;
    const n = Math.floor((now - Date.parse(e.detectedAt)) / config.remindAfterMs);
    if (n < 1) continue;
    const boundary = new Date(Date.parse(e.detectedAt) + n * config.remindAfterMs).toISOString();
    if ((lastOf.get(e.id) ?? '') >= boundary) continue;
    const id = reminderId(['periodic', e.id, String(n)]);
    if (!madeIds.has(id)) out.push(reminderEvent(a, { kind: 'periodic', silenceId: null }, id, at));
  }
  return out;
}
