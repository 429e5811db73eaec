/**
 * Delivery of change events to the configured channels, idempotently:
 * 1. read each event's delivery records (the stream image is stale: only the table knows what an
 *    earlier attempt delivered);
 * 2. decide, purely, what each channel still owes: routing, flap suppression, digest (plan.ts);
 * 3. send, then record on the event item. Send-then-record means a crash in between re-sends on
 *    retry: channels with an idempotency key (DingTalk msgUuid, webhook Idempotency-Key) let the
 *    platform drop the repeat; the others may show it once more. Record-then-send would lose the
 *    message instead, and a missed alert is worse than a repeated one.
 *
 * A channel that keeps failing is parked after `maxDeliveryAttempts` batch attempts: the event gets
 * `deliveryState = 'failed'`, stops being reported to the stream (so it no longer holds up the
 * shard), and waits for `redeliver`.
 */
import { type ChangeEvent, ChangeEventSchema } from '../model/schemas.ts';
import { findFailedAcks, markAckDelivered } from '../store/ack-redeliver.ts';
import type { Store } from '../store/client.ts';
import { findFailedEvents, loadDelivery, recordDelivery, setDeliveryState } from '../store/delivery.ts';
import { markInhibited, storedDeletions } from '../store/inhibit.ts';
import { targetPeeringTotals } from '../store/outage.ts';
import { getEvent } from '../store/query.ts';
import { deliverAcks } from './ack-deliver.ts';
import { DRIVERS } from './channels/index.ts';
import { type ChannelConfig, DEFAULT_OPTIONS, DEFAULT_OUTAGE, type NotifyOptions } from './config.ts';
import { decideFlap, needsHistory, originalFailure, peeringTimeline } from './flap.ts';
import { loadHistoryFor } from './history.ts';
import { createPost, postHttp } from './http.ts';
import { inhibitedByDeletion, inhibitedFor } from './inhibit.ts';
import type { OriginalAlert } from './message.ts';
import { decideOutages, type Outage, outageCandidates, outageSends } from './outage.ts';
import { capacity, PACE_HORIZON_MS } from './pacing.ts';
import { type ChannelLimits, type ChannelPlan, type EventContext, planChannel } from './plan.ts';
import {
  type DeliveryMap,
  type DeliveryRecord,
  type DeliveryState,
  deliveryState,
  failureRecord,
  isPending,
  type Mode,
  parseDelivery,
} from './record.ts';
import { routes } from './routing.ts';
import { type SendDeps, type SendResult, sendMessage } from './send.ts';
import { applySilences } from './silenced.ts';

export interface DeliverDeps extends SendDeps {
  options: NotifyOptions;
  /** stream: parked channels wait for redeliver; redeliver: they are tried again. */
  mode: Mode;
  log: (entry: Record<string, unknown>) => void;
}

export function defaultDeps(over: Partial<DeliverDeps> = {}): DeliverDeps {
  return {
    post: (over.options ?? DEFAULT_OPTIONS).allowPrivateHosts
      ? createPost({ allowPrivateHosts: true })
      : postHttp,
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    random: Math.random,
    buckets: new Map(),
    options: DEFAULT_OPTIONS,
    mode: 'stream',
    log: (entry) => console.log(JSON.stringify(entry)),
    ...over,
  };
}

/** An event's delivery records as read back, parsed (an entry that does not parse counts as none). */
interface StoredDelivery {
  delivery: DeliveryMap;
  deliveryState: string | null;
  silencedBy: string | null;
}

export type ChannelOutcome =
  /** sent now / already done earlier / suppressed as flapping */
  | { status: 'sent' | 'already' | 'suppressed' }
  /** failed, retried with the batch / parked until redeliver */
  | { status: 'retrying' | 'failed'; reason: string }
  /** not attempted (deadline) or sent but not recorded: retried with the batch, not counted */
  | { status: 'deferred' | 'unrecorded'; reason: string };

export interface EventReport {
  eventId: string;
  /** The stream should hand this event back (a batch item failure). */
  retry: boolean;
  /** silenced: a silence held it from every channel (lib/notify/silenced.ts). */
  state: DeliveryState | 'missing' | 'silenced';
  channels: Record<string, ChannelOutcome>;
}

export interface DeliverReport {
  events: EventReport[];
  /** HTTP messages that went out (a digest is one). */
  messages: number;
  /** `redeliver` only: the acknowledgements of the redelivered events that exist (see redeliver). */
  acks?: EventReport[];
}

/** Transient failures in a row after which a channel counts as down for the rest of the batch. */
const BLOCK_AFTER = 2;

const RETRY_STATUSES = new Set(['retrying', 'deferred', 'unrecorded']);

async function contextsFor(
  store: Store,
  events: readonly ChangeEvent[],
  options: NotifyOptions,
): Promise<Map<string, EventContext>> {
  // One history read per peering event, in parallel: each peering needs its own reach into the
  // past (its failure streak), so reads are not shared between events.
  const entries = await Promise.all(
    events
      // A reminder is not a change: no flap decision, no history read.
      .filter((e) => e.reminder === undefined && needsHistory(e, options.flap))
      .map(async (e): Promise<[string, EventContext]> => {
        const points = peeringTimeline(await loadHistoryFor(store, e, options.flap), e);
        const original = originalFailure(e, points);
        return [
          e.id,
          {
            decision: decideFlap(e, points, options.flap),
            original: original && (await withAck(store, original)),
          },
        ];
      }),
  );
  return new Map(entries);
}

/** The failure a recovery closes, with who acknowledged it (its event item says; gone: nobody known). */
async function withAck(store: Store, original: OriginalAlert): Promise<OriginalAlert> {
  const failure = await getEvent(store, original.id);
  return {
    ...original,
    acknowledgedBy: failure?.acknowledgedBy ?? null,
    acknowledgedAt: failure?.acknowledgedAt ?? null,
  };
}

/** Target-wide outages among the batch's failures (outage.ts); the store is read only for candidates. */
async function outagesOf(
  store: Store,
  events: readonly ChangeEvent[],
  options: NotifyOptions,
): Promise<Outage[]> {
  const settings = options.outage ?? DEFAULT_OUTAGE;
  const candidates = outageCandidates(events, settings);
  if (candidates.length === 0) return [];
  return decideOutages(events, await targetPeeringTotals(store, candidates), settings);
}

/** The channel's platform limits for this batch: what its bucket can send before the deadline. */
function limitsOf(channel: ChannelConfig, deps: DeliverDeps): ChannelLimits {
  const driver = DRIVERS[channel.type];
  const now = deps.now();
  const horizon = deps.deadline === undefined ? PACE_HORIZON_MS : Math.max(0, deps.deadline - now);
  return {
    sendable: capacity(deps.buckets.get(channel.name), driver.pace, now, horizon),
    paging: driver.paging === true,
  };
}

/** Sends one channel's plan and records each outcome; never throws (outcomes say what happened). */
async function runChannel(
  store: Store,
  plan: ChannelPlan,
  stored: ReadonlyMap<string, StoredDelivery>,
  deps: DeliverDeps,
  written: Map<string, DeliveryMap>,
): Promise<{ outcomes: Map<string, ChannelOutcome>; messages: number }> {
  const { channel } = plan;
  let messages = 0;
  const driver = DRIVERS[channel.type];
  const outcomes = new Map<string, ChannelOutcome>();
  const at = () => new Date(deps.now()).toISOString();
  const write = async (eventId: string, rec: DeliveryRecord, ok: ChannelOutcome): Promise<void> => {
    try {
      const done = await recordDelivery(store, eventId, channel.name, rec);
      outcomes.set(eventId, done ? ok : { status: 'already' });
      if (done) written.set(eventId, { ...written.get(eventId), [channel.name]: rec });
    } catch (err) {
      deps.log({
        level: 'ERROR',
        message: 'delivery record not written',
        channel: channel.name,
        eventId,
        error: err instanceof Error ? err.name : 'Error',
      });
      outcomes.set(eventId, { status: 'unrecorded', reason: 'delivery record not written' });
    }
  };

  for (const eventId of plan.inhibited ?? []) {
    await write(
      eventId,
      { status: 'suppressed', at: at(), attempts: 0, via: 'inhibited' },
      { status: 'suppressed' },
    );
  }
  for (const eventId of plan.suppressed) {
    await write(
      eventId,
      { status: 'suppressed', at: at(), attempts: 0, via: 'flapping' },
      { status: 'suppressed' },
    );
  }
  // Once the channel looks down (two transient failures in a row) or time is up, its remaining
  // messages are not tried in this batch: each would wait out the same retries. They count an
  // attempt all the same, so a dead channel parks its events together. One failure alone does not
  // block: a poison message must not take the good ones behind it down with it.
  let blocked: { reason: string; deferred: boolean } | null = null;
  let transientInARow = 0;
  for (const send of plan.sends) {
    const result: SendResult = blocked
      ? {
          ok: false as const,
          attempts: 0,
          reason: `not tried: ${blocked.reason}`,
          permanent: false,
          deferred: blocked.deferred,
        }
      : await sendMessage(driver, channel, send.message, deps.options.retry, deps);
    if (result.ok) {
      messages++;
      transientInARow = 0;
      for (const eventId of send.eventIds) {
        await write(
          eventId,
          { status: 'sent', at: at(), attempts: result.attempts, via: send.via, key: send.message.key },
          { status: 'sent' },
        );
      }
      deps.log({
        level: 'INFO',
        message: 'notification sent',
        channel: channel.name,
        via: send.via,
        key: send.message.key,
        events: send.eventIds.length,
      });
      continue;
    }
    transientInARow = result.permanent ? 0 : transientInARow + 1;
    if (result.deferred || transientInARow >= BLOCK_AFTER)
      blocked ??= { reason: result.reason, deferred: result.deferred };
    for (const eventId of send.eventIds) {
      if (result.deferred) {
        outcomes.set(eventId, { status: 'deferred', reason: result.reason });
        continue;
      }
      const rec = failureRecord(stored.get(eventId)?.delivery[channel.name], result, {
        at: at(),
        maxAttempts: deps.options.maxDeliveryAttempts,
        mode: deps.mode,
      });
      await write(eventId, rec, {
        status: rec.status === 'failed' ? 'failed' : 'retrying',
        reason: result.reason,
      });
    }
    deps.log({
      level: 'WARN',
      message: 'notification failed',
      channel: channel.name,
      key: send.message.key,
      reason: result.reason,
      attempts: result.attempts,
    });
  }
  return { outcomes, messages };
}

/**
 * Delivers `events` to every channel routing selects, skipping channels the event item already
 * records as delivered. Per event, says whether the stream should retry it.
 */
export async function deliverEvents(
  store: Store,
  events: readonly ChangeEvent[],
  channels: readonly ChannelConfig[],
  deps: DeliverDeps,
): Promise<DeliverReport> {
  // Only the model's fields travel on (items read back carry delivery maps and keys).
  const unique = [...new Map(events.map((e) => [e.id, ChangeEventSchema.parse(e)])).values()].sort(
    (a, b) => a.detectedAt.localeCompare(b.detectedAt) || a.id.localeCompare(b.id),
  );
  const stored = new Map(
    [
      ...(await loadDelivery(
        store,
        unique.map((e) => e.id),
      )),
    ].map(([id, s]): [string, StoredDelivery] => [id, { ...s, delivery: parseDelivery(s.delivery) }]),
  );
  const present = unique.filter((e) => stored.has(e.id));
  const held = await applySilences(store, present, new Map([...stored].map(([id, s]) => [id, s.silencedBy])));
  const state = new Map([...stored].map(([id, s]) => [id, s.delivery]));
  const owing = present.filter(
    (e) =>
      !held.has(e.id) &&
      channels.some((c) => routes(c, e) && isPending(state.get(e.id)?.[c.name], deps.mode)),
  );
  // Inhibited events are marked on the item first, then recorded per channel instead of sent.
  const inhibited = inhibitedByDeletion(owing, await storedDeletions(store, owing));
  await Promise.all([...inhibited].map(([id, by]) => markInhibited(store, id, by)));
  const uninhibited = owing.filter((e) => !inhibited.has(e.id));
  const outages = await outagesOf(store, uninhibited, deps.options);
  const inOutage = new Set(outages.flatMap((o) => o.events.map((e) => e.id)));
  const sendable = uninhibited.filter((e) => !inOutage.has(e.id));
  const contexts = await contextsFor(store, sendable, deps.options);
  const plans = channels.map((c) => {
    const outage = outageSends(c, outages, state, deps.mode, deps.options);
    const limits = limitsOf(c, deps);
    // The outage messages go first and take their share of the platform's budget.
    const rest = planChannel(c, sendable, state, contexts, deps.options, deps.mode, {
      ...limits,
      sendable: limits.sendable - outage.length,
    });
    return {
      ...rest,
      sends: [...outage, ...rest.sends],
      inhibited: inhibitedFor(c, owing, inhibited, state, deps.mode),
    };
  });

  const written = new Map<string, DeliveryMap>();
  const settled = await Promise.allSettled(plans.map((p) => runChannel(store, p, stored, deps, written)));
  const byChannel = new Map<string, Map<string, ChannelOutcome>>();
  let messages = 0;
  settled.forEach((s, i) => {
    const name = plans[i]?.channel.name ?? '';
    if (s.status === 'fulfilled') {
      byChannel.set(name, s.value.outcomes);
      messages += s.value.messages;
      return;
    }
    // runChannel catches its own errors; a rejection is a bug, reported as a retry of every event.
    deps.log({
      level: 'ERROR',
      message: 'channel delivery crashed',
      channel: name,
      error: s.reason instanceof Error ? s.reason.name : 'Error',
    });
    byChannel.set(
      name,
      new Map(owing.map((e) => [e.id, { status: 'unrecorded', reason: 'internal error' }])),
    );
  });

  const reports: EventReport[] = [];
  for (const e of unique) {
    const before = stored.get(e.id);
    if (!before) {
      reports.push({ eventId: e.id, retry: false, state: 'missing', channels: {} });
      continue;
    }
    const routed = channels.filter((c) => routes(c, e)).map((c) => c.name);
    if (held.has(e.id)) {
      const none = Object.fromEntries(routed.map((name) => [name, { status: 'suppressed' as const }]));
      reports.push({ eventId: e.id, retry: false, state: 'silenced', channels: none });
      continue;
    }
    const outcomes: Record<string, ChannelOutcome> = {};
    for (const name of routed) {
      const parked = before.delivery[name];
      outcomes[name] =
        byChannel.get(name)?.get(e.id) ??
        (parked?.status === 'failed'
          ? { status: 'failed', reason: parked.reason ?? 'parked' }
          : { status: 'already' });
    }
    const records = { ...before.delivery, ...written.get(e.id) };
    const now = deliveryState(records, routed);
    // A once-failed event that is now delivered everywhere leaves the failed list.
    if (now === 'delivered' && before.deliveryState === 'failed')
      await setDeliveryState(store, e.id, 'delivered');
    reports.push({
      eventId: e.id,
      retry: Object.values(outcomes).some((o) => RETRY_STATUSES.has(o.status)),
      state: now,
      channels: outcomes,
    });
  }
  return { events: reports, messages };
}

export type RedeliverTarget =
  | { eventId: string }
  | { failed: true; from?: string | undefined; to?: string | undefined };

/**
 * For `dli-sync redeliver`: one event by id, or every event parked as failed in a time range.
 * Channels already delivered are skipped; parked ones are tried again (once: a failure parks them
 * again, with the attempt counted).
 */
export async function redeliver(
  store: Store,
  channels: readonly ChannelConfig[],
  target: RedeliverTarget,
  deps: Partial<DeliverDeps> = {},
): Promise<DeliverReport> {
  const full = defaultDeps({ ...deps, mode: 'redeliver' });
  let events: ChangeEvent[];
  if ('eventId' in target) {
    const e = await getEvent(store, target.eventId);
    if (!e)
      return {
        events: [{ eventId: target.eventId, retry: false, state: 'missing', channels: {} }],
        messages: 0,
      };
    events = [e];
  } else {
    events = await findFailedEvents(store, { from: target.from, to: target.to });
  }
  const report = await deliverEvents(store, events, channels, full);
  // Then acknowledgements, after the events so each ack sees its alert's new records: an alert
  // parked on a channel skips its ack there (the channel never showed it), so once redelivered the
  // channel is owed the ack, which the stream will not bring again; and every ack parked on some
  // channel (`--failed`) or the named event's ack (`--event`) is tried again.
  const ids =
    'eventId' in target
      ? [target.eventId]
      : [...new Set([...(await findFailedAcks(store, target)), ...events.map((e) => e.id)])];
  // `missing`: no ack item (the event was never acknowledged): nothing to report.
  const acks = (await deliverAcks(store, ids, channels, full)).filter((a) => a.state !== 'missing');
  for (const a of acks)
    if (a.state === 'delivered' && Object.values(a.channels).some((c) => c.status === 'sent'))
      await markAckDelivered(store, a.eventId);
  return { ...report, acks };
}
