/**
 * Sends one message to one channel: pacing, the HTTP attempt, the platform's verdict, retries.
 * The thin shell around the pure parts (render, judge, take, nextStep).
 */
import type { ChannelDriver } from './channels/types.ts';
import type { ChannelConfig, DeliveryRetryPolicy } from './config.ts';
import { NetworkError, type Post } from './http.ts';
import type { Message } from './message.ts';
import { type Bucket, fullBucket, take } from './pacing.ts';
import { nextStep } from './retry.ts';

export interface SendDeps {
  post: Post;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Pacing state per channel name; kept across invocations of a warm Lambda. */
  buckets: Map<string, Bucket>;
  /** Epoch ms after which no wait starts (the Lambda's remaining time, less a margin). */
  deadline?: number | undefined;
}

export type SendResult =
  | { ok: true; attempts: number }
  /** `permanent`: retrying cannot help; `deferred`: not attempted or stopped for time, not the channel's fault. */
  | { ok: false; attempts: number; reason: string; permanent: boolean; deferred: boolean };

/** Waits for a pacing token, unless the wait would pass the deadline. */
async function paced(channel: ChannelConfig, driver: ChannelDriver, deps: SendDeps): Promise<boolean> {
  const now = deps.now();
  const { bucket, waitMs } = take(
    deps.buckets.get(channel.name) ?? fullBucket(driver.pace, now),
    driver.pace,
    now,
  );
  if (deps.deadline !== undefined && now + waitMs > deps.deadline) return false;
  deps.buckets.set(channel.name, bucket);
  if (waitMs > 0) await deps.sleep(waitMs);
  return true;
}

export async function sendMessage(
  driver: ChannelDriver,
  channel: ChannelConfig,
  message: Message,
  policy: DeliveryRetryPolicy,
  deps: SendDeps,
): Promise<SendResult> {
  let attempts = 0;
  for (;;) {
    if (!(await paced(channel, driver, deps))) {
      return {
        ok: false,
        attempts,
        reason: 'deadline reached while pacing',
        permanent: false,
        deferred: true,
      };
    }
    attempts++;
    // Rendered per attempt: signatures carry the current timestamp.
    const request = driver.render(message, channel, deps.now());
    let verdict: ReturnType<ChannelDriver['judge']>;
    try {
      verdict = driver.judge(await deps.post(request, policy.timeoutMs), deps.now());
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      verdict = { ok: false, retry: 'backoff', reason: err.message };
    }
    if (verdict.ok) return { ok: true, attempts };
    const step = nextStep(verdict, attempts, policy, deps.random);
    if ('stop' in step) {
      return {
        ok: false,
        attempts,
        reason: verdict.reason,
        permanent: step.stop === 'permanent',
        deferred: false,
      };
    }
    if (deps.deadline !== undefined && deps.now() + step.wait > deps.deadline) {
      return { ok: false, attempts, reason: verdict.reason, permanent: false, deferred: false };
    }
    await deps.sleep(step.wait);
  }
}
