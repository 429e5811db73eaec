/**
 * Per-channel pacing: a token bucket. Pure: the state goes in and comes out, the clock is an
 * argument. With `burst` tokens refilled at `perMinute`, any 60 s holds at most burst + perMinute
 * sends, so each platform's pair is chosen with that sum under its per-minute limit.
 */
import type { Pace } from './channels/types.ts';

export interface Bucket {
  tokens: number;
  /** Epoch ms of the last refill. */
  at: number;
}

export const fullBucket = (pace: Pace, now: number): Bucket => ({ tokens: pace.burst, at: now });

/** Takes one token: the new state, and how long to wait before sending (0 when a token was there). */
export function take(bucket: Bucket, pace: Pace, now: number): { bucket: Bucket; waitMs: number } {
  const perMs = pace.perMinute / 60_000;
  const elapsed = Math.max(0, now - bucket.at);
  const tokens = Math.min(pace.burst, bucket.tokens + elapsed * perMs);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now }, waitMs: 0 };
  const waitMs = Math.ceil((1 - tokens) / perMs);
  // The token we wait for is spent on arrival: the bucket is empty at now + waitMs.
  return { bucket: { tokens: 0, at: now + waitMs }, waitMs };
}
