/**
 * A silence: a window during which matching events are stored and shown but not sent. Its
 * selector is `key=value` pairs (all must match): `target` a `region:projectId` glob, `connection`
 * an id or name, `queue` a queue or pool name, `type` an event type. Pure.
 */
import { z } from 'zod';
import { globMatches } from './glob.ts';
import { type ChangeEvent, EventTypeSchema } from './schemas.ts';
import { parseTargetSpec } from './target.ts';

export const SilenceMatchSchema = z
  .object({
    target: z.string().min(1).optional(),
    connection: z.string().min(1).optional(),
    queue: z.string().min(1).optional(),
    type: EventTypeSchema.optional(),
  })
  .strict();
export type SilenceMatch = z.infer<typeof SilenceMatchSchema>;

export const SilenceSchema = z.object({
  id: z.string(),
  match: SilenceMatchSchema,
  startsAt: z.string(),
  endsAt: z.string(),
  reason: z.string(),
  createdBy: z.string().nullable(),
});
export type Silence = z.infer<typeof SilenceSchema>;

/** Whether the selector names this event (time is not considered; see isActive). */
export function selectorMatches(m: SilenceMatch, e: ChangeEvent): boolean {
  if (m.type !== undefined && m.type !== e.type) return false;
  if (m.queue !== undefined && m.queue !== e.queue) return false;
  if (m.connection !== undefined && m.connection !== e.connectionId && m.connection !== e.connectionName)
    return false;
  if (m.target !== undefined) {
    const spec = parseTargetSpec(m.target);
    if (spec === null || !globMatches(spec.region, e.region) || !globMatches(spec.projectId, e.projectId))
      return false;
  }
  return true;
}

/** A silence holds from startsAt (inclusive) to endsAt (exclusive). ISO-8601 UTC strings compare as times. */
export const isActive = (s: Silence, at: string): boolean => s.startsAt <= at && at < s.endsAt;

/** The silence (if any) that holds this event at `at`; the one ending last wins, so the id shown is the one that matters. */
export function silencing(silences: readonly Silence[], e: ChangeEvent, at: string): Silence | null {
  let best: Silence | null = null;
  for (const s of silences)
    if (isActive(s, at) && selectorMatches(s.match, e) && (best === null || s.endsAt > best.endsAt)) best = s;
  return best;
}
