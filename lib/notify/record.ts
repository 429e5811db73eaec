/**
 * The per-channel delivery records kept on event items (`delivery.{channel}`) and the event's
 * top-level `deliveryState`. Pure: what a record says and what the next one is.
 */
import { z } from 'zod';

export const DeliveryRecordSchema = z.object({
  /** sent / suppressed: done. retrying: failed, will be retried with the batch. failed: parked,
   *  only `redeliver` tries again. */
  status: z.enum(['sent', 'suppressed', 'retrying', 'failed']),
  at: z.string(),
  /** Delivery attempts (one per batch attempt or redeliver run), counted across failures. */
  attempts: z.number().int().nonnegative(),
  /** How it went out: its own message, the flapping message, or a digest (key = digest id);
   *  `inhibited`: not sent, another event stands for it (the event's `inhibitedBy`); `reminder`: a
   *  reminder of an open alert (lib/sync/reminders.ts); `outage`: in a target-wide outage message
   *  (lib/notify/outage.ts, key = the outage message's key). */
  via: z.enum(['event', 'flapping', 'digest', 'inhibited', 'reminder', 'outage']).optional(),
  key: z.string().optional(),
  /** Why it failed: status and platform code only, never a URL. */
  reason: z.string().optional(),
});
export type DeliveryRecord = z.infer<typeof DeliveryRecordSchema>;
export type DeliveryMap = Record<string, DeliveryRecord>;

/** Tolerant: an entry that does not parse counts as no record (and is overwritten on delivery). */
export function parseDelivery(value: unknown): DeliveryMap {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: DeliveryMap = {};
  for (const [channel, raw] of Object.entries(value)) {
    const r = DeliveryRecordSchema.safeParse(raw);
    if (r.success) out[channel] = r.data;
  }
  return out;
}

export const isDone = (r: DeliveryRecord | undefined): boolean =>
  r?.status === 'sent' || r?.status === 'suppressed';

export type Mode = 'stream' | 'redeliver';

/** A stream delivery leaves parked (failed) channels to `redeliver`; redeliver retries them. */
export const isPending = (r: DeliveryRecord | undefined, mode: Mode): boolean =>
  !isDone(r) && !(mode === 'stream' && r?.status === 'failed');

/**
 * The record after a failed delivery. Each batch attempt counts; past the budget (or at once for a
 * permanent failure, or in a redeliver run, which nobody retries) the channel is parked as failed.
 */
export function failureRecord(
  previous: DeliveryRecord | undefined,
  failure: { reason: string; permanent: boolean },
  opts: { at: string; maxAttempts: number; mode: Mode },
): DeliveryRecord {
  const attempts = (previous && !isDone(previous) ? previous.attempts : 0) + 1;
  const parked = failure.permanent || opts.mode === 'redeliver' || attempts >= opts.maxAttempts;
  return { status: parked ? 'failed' : 'retrying', at: opts.at, attempts, reason: failure.reason };
}

export type DeliveryState = 'delivered' | 'failed' | 'pending';

/** The event's summary over the channels that route it. */
export function deliveryState(records: DeliveryMap, channels: readonly string[]): DeliveryState {
  const rs = channels.map((c) => records[c]);
  if (rs.some((r) => r?.status === 'failed')) return 'failed';
  return rs.every(isDone) ? 'delivered' : 'pending';
}
