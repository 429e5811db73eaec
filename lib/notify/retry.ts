/** What to do after a failed send attempt. Pure: the random source is an argument. */

import { backoffMs } from '../backoff.ts';
import type { Verdict } from './channels/types.ts';
import type { DeliveryRetryPolicy } from './config.ts';

export type Step = { wait: number } | { stop: 'permanent' | 'exhausted' | 'too-long' };

/**
 * `attempt` is the number of attempts made so far (1 after the first). A 429's Retry-After is
 * honoured when it is within maxRetryAfterMs; a longer one ends this delivery (it is retried with
 * the next batch attempt) rather than holding the batch past its deadline.
 */
export function nextStep(
  verdict: Exclude<Verdict, { ok: true }>,
  attempt: number,
  policy: DeliveryRetryPolicy,
  random: () => number,
): Step {
  if (verdict.retry === 'never') return { stop: 'permanent' };
  if (attempt >= policy.maxAttempts) return { stop: 'exhausted' };
  if (verdict.retry === 'after')
    return verdict.afterMs > policy.maxRetryAfterMs ? { stop: 'too-long' } : { wait: verdict.afterMs };
  return { wait: backoffMs(attempt, policy, random) };
}
