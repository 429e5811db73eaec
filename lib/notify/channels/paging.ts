/**
 * What the paging drivers (PagerDuty, JSM) share: a bounded, stable alert key, plain text for fields
 * that no markup parses, and the facts as a flat map. Pure.
 */
import { createHash } from 'node:crypto';
import { clip, literal, oneLine } from '../escape.ts';
import type { Message } from '../message.ts';

/**
 * The message's alert key within `max` characters, in a safe alphabet. Keys that fit and are made of
 * id-like characters are kept as they are (readable in the paging tool); others (too long, or with
 * a queue name of odd characters, which the tools show and forward to chat) keep a readable, cleaned
 * prefix and end in a hash of the whole key: two keys never collide, and the same key always maps
 * the same way, so a trigger and its resolve meet.
 */
export function boundedKey(m: Message, max: number): string {
  const key = m.alertKey ?? m.key;
  if (/^[A-Za-z0-9_.:/#~-]*$/.test(key) && !key.includes('://') && key.length <= max) return key;
  // The prefix drops `:` too, so data can form no `scheme://` a chat forward would link.
  const prefix = key.replace(/[^A-Za-z0-9_./#~-]/g, '_');
  const hash = createHash('sha256').update(key).digest('base64url');
  return `${prefix.slice(0, max - hash.length - 1)}~${hash}`;
}

/**
 * Data as plain text: no markup parses it in the paging tool itself, but both forward alerts to
 * chat (Slack, Teams), so mentions, tags and auto-links from the data are broken all the same.
 */
export const plainText = (s: string, max: number): string => clip(s, literal, max);

/** One line of plain text, cut with an ellipsis: for summaries and titles. */
export const plainLine = (s: string, max: number): string => clip(s, (x) => literal(oneLine(x)), max);

/** The message's facts as a map (labels are ours, values the event's), plus error and note. */
export function factMap(m: Message, valueMax: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of m.facts) out[f.label] = plainText(f.value, valueMax);
  if (m.error !== null) out['DLI error'] = plainText(m.error, valueMax);
  if (m.note) out.Note = plainText(m.note, valueMax);
  return out;
}

/** Failures and deletions open an alert; everything else only says something about one. */
export type PagingAction = NonNullable<Message['action']>;
export const actionOf = (m: Message): PagingAction => m.action ?? 'trigger';
