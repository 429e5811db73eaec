/** The window a report or an availability query covers. Pure. */
import { BadRequestError } from '../errors.ts';
import type { Window } from './availability.ts';

export const DEFAULT_WINDOW_DAYS = 30;

/**
 * `[from, to)` from optional ISO bounds (already validated as instants): `to` defaults to `now`,
 * `from` to 30 days before `to`. `names` are how the caller spells the bounds in its messages.
 */
export function resolveWindow(
  from: string | undefined,
  to: string | undefined,
  now: Date,
  names: { from: string; to: string } = { from: '--from', to: '--to' },
): Window {
  const end = to ?? now.toISOString();
  const start = from ?? new Date(Date.parse(end) - DEFAULT_WINDOW_DAYS * 86_400_000).toISOString();
  // Whole seconds count (availability.ts), so a window must hold at least one.
  if (Math.floor(Date.parse(end) / 1000) <= Math.floor(Date.parse(start) / 1000))
    throw new BadRequestError(`${names.from} must be at least one second before ${names.to}`);
  return { from: start, to: end };
}
