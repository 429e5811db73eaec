/**
 * An event as `events --json` and the API's /events show it: the stored event plus what is computed
 * when it is read (the cause hint, lib/model/hints.ts, so a better table improves old events too).
 * The one mapping both the CLI and the API use. Pure.
 */
import { z } from 'zod';
import { eventHint, type Hint } from './hints.ts';
import { type ChangeEvent, ChangeEventSchema } from './schemas.ts';

/** The view's shape, for the API's document (lib/api/catalogue.ts). */
export const EventViewSchema = ChangeEventSchema.extend({
  hint: z
    .object({ cause: z.string(), action: z.string(), link: z.string() })
    .nullable()
    .describe(
      'The likely cause of the error text and the next step (lib/model/hints.ts); null when unknown.',
    ),
});

export type EventView<E extends ChangeEvent = ChangeEvent> = E & { hint: Hint | null };

export const eventView = <E extends ChangeEvent>(e: E): EventView<E> => ({ ...e, hint: eventHint(e) });
