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

/** How far ahead a batch may plan to pace when no Lambda deadline says otherwise (CLI redeliver). */
export const PACE_HORIZON_MS = 60_000;

/**
 * How many sends the bucket allows between now and now + horizonMs: the tokens it holds plus what
 * refills in that time (a bucket whose refill was reserved into the future refills from then).
 * What plan.ts compares a batch with, to digest before the platform would throttle.
 */
export function capacity(bucket: Bucket | undefined, pace: Pace, now: number, horizonMs: number): number {
  const b = bucket ?? fullBucket(pace, now);
  const perMs = pace.perMinute / 60_000;
  const tokens = Math.min(pace.burst, b.tokens + Math.max(0, now - b.at) * perMs);
  const refill = Math.max(0, now + horizonMs - Math.max(now, b.at)) * perMs;
  // The epsilon keeps float error (10 s × 18/min = 2.9999…) from costing a whole send.
  return Math.floor(tokens + refill + 1e-9);
}
