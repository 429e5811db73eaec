/**
 * An event as `events --json` and the API's /events show it: the stored event plus what is computed
 * when it is read (the cause hint, lib/model/hints.ts, so a better table improves old events too).
 * The one mapping both the CLI and the API use. Pure.
 */
import { eventHint, type Hint } from './hints.ts';
import type { ChangeEvent } from './schemas.ts';

export type EventView<E extends ChangeEvent = ChangeEvent> = E & { hint: Hint | null };

export const eventView = <E extends ChangeEvent>(e: E): EventView<E> => ({ ...e, hint: eventHint(e) });
