/** Retry spacing shared by the DLI client and the chat notifier. Pure: randomness is an argument. */

export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter: uniform in [0, min(max, base · 2^(retry−1))], so many
 * callers retrying at once spread out instead of hitting the server together. `retry` counts from 1.
 */
export const backoffMs = (retry: number, policy: BackoffPolicy, random: () => number): number =>
  Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1)));
