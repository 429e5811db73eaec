/**
 * The reminder of an open alert (lib/sync/reminders.ts decides when): the alert's own message,
 * said to be a reminder, with how long it has been open. Same shape as every message, so every
 * channel renders it; `action: 'trigger'` with the alert's key lets paging tools fold it into the
 * incident the first message opened. Pure.
 */
import type { ChangeEvent, ReminderInfo } from '../model/schemas.ts';
import { eventMessage, type Message } from './message.ts';

function openFor(info: ReminderInfo, now: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(now) - Date.parse(info.openSince)) / 60_000));
  if (minutes < 120) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} hours` : `${Math.round(hours / 24)} days`;
}

export function reminderMessage(
  e: ChangeEvent & { reminder: ReminderInfo },
  ctx: { consoleUrlTemplate: string },
): Message {
  const base = eventMessage(e, ctx);
  const info = e.reminder;
  const still = e.type === 'CONNECTION_DELETED' ? 'still deleted' : 'still FAILED';
  const why =
    info.kind === 'silence-ended'
      ? `Silence ${info.silenceId ?? '?'} has ended and this is ${still}.`
      : `This is ${still} and nobody has acknowledged it.`;
  return {
    ...base,
    title: `Reminder: ${base.title}`,
    summary: `Reminder, open since ${info.openSince} (${openFor(info, e.detectedAt)}): ${base.summary}`,
    facts: [
      ...base.facts.filter((f) => f.label !== 'Event'),
      { label: 'Open since', value: info.openSince },
      { label: 'Alert', value: info.of },
    ],
    note: why,
    action: 'trigger',
    alertKey: info.alertKey,
  };
}

export const isReminder = (e: ChangeEvent): e is ChangeEvent & { reminder: ReminderInfo } =>
  e.reminder !== undefined;
