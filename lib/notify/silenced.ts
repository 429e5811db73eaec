/**
 * Silences at delivery: an event that a silence holds is stored and shown (`events` says
 * `silencedBy`) but no channel gets it.
 *
 * Decided at the event's `detectedAt`, not at delivery time: a silence is about what happens
 * during the window, and the decision must not depend on when the notifier runs. A retried batch,
 * a late stream, or `redeliver` a day later all decide the same, and an event detected after a
 * silence was expired is sent even if its delivery is slow. The first decision is also written on
 * the event item (`silencedBy`), so it stays final even if the silence item later expires (TTL).
 */
import type { ChangeEvent } from '../model/schemas.ts';
import { type Silence, silencing } from '../model/silence.ts';
import type { Store } from '../store/client.ts';
import { listSilences, markSilenced } from '../store/silences.ts';

/**
 * Pure: event id → the id of the silence holding it. An event already marked keeps its mark;
 * otherwise the silence active at its detectedAt that matches it (the one ending last).
 */
export function heldBySilence(
  events: readonly ChangeEvent[],
  silences: readonly Silence[],
  marked: ReadonlyMap<string, string | null>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of events) {
    const id = marked.get(e.id) ?? silencing(silences, e, e.detectedAt)?.id;
    if (id) out.set(e.id, id);
  }
  return out;
}

/**
 * Reads the silences that could hold these events (one Query, only when some event is not marked
 * yet), decides, and marks the newly held events. Returns every held event's silence.
 */
export async function applySilences(
  store: Store,
  events: readonly ChangeEvent[],
  marked: ReadonlyMap<string, string | null>,
): Promise<Map<string, string>> {
  const open = events.filter((e) => !marked.get(e.id));
  const oldest = open.map((e) => e.detectedAt).sort()[0];
  const silences = oldest === undefined ? [] : await listSilences(store, { endingAfter: oldest });
  const held = heldBySilence(events, silences, marked);
  for (const e of open) {
    const silenceId = held.get(e.id);
    if (silenceId) await markSilenced(store, e.id, silenceId);
  }
  return held;
}
