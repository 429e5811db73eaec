/**
 * Issue #14's reliability promise with silences, acknowledgements and reminders in play. The sync
 * scenario of scenario.ts runs under the real notifier path (table stream → local poller →
 * createStreamHandler → HTTP to a local sink) while one channel fails (500s, 429s), the notifier's
 * store "dies" between a send and its record, silences with random selectors hold part of the
 * window, alerts are acknowledged while their delivery is still in flight, and the reminder step
 * runs between syncs. Parked deliveries are then redelivered, as an operator would.
 *
 * Judged from what the sink received, against an oracle computed apart from the notifier: which
 * events a silence holds (at their detectedAt), which channels showed each alert.
 */
import { expect } from 'vitest';
import { startStreamPoller } from '../../infra/local/stream-poller.ts';
import { OK, type SinkRequest, type WebhookSink } from '../../infra/local/webhook-sink.ts';
import { acknowledge } from '../../lib/api/ack.ts';
import type { ChangeEvent } from '../../lib/model/schemas.ts';
import { type Silence, type SilenceMatch, silencing } from '../../lib/model/silence.ts';
import { ackMessageKey } from '../../lib/notify/ack-message.ts';
import type { ChannelConfig } from '../../lib/notify/config.ts';
import { redeliver } from '../../lib/notify/deliver.ts';
import { createStreamHandler } from '../../lib/notify/handler.ts';
import type { Store } from '../../lib/store/client.ts';
import { getEvent, listEvents } from '../../lib/store/query.ts';
import { listRemindersSince } from '../../lib/store/reminders.ts';
import { newSilenceId, putSilence } from '../../lib/store/silences.ts';
import { remindStep } from '../../lib/sync/remind.ts';
import type { Harness } from '../support/harness.ts';
import { channel, notifyDeps } from './chat.ts';
import { newCase, type Raw, scenarioSteps, step } from './scenario.ts';
import { at, type Counts, Crash } from './support.ts';

/** Deterministic per seed: a failing run can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REMIND_MS = 30 * 60_000;
const iso = (d: Date): string => d.toISOString();
/** `at` takes whole hours (Date.UTC drops fractions); reminders and silences need minutes. */
const hour = (x: number): Date => new Date(at(0).getTime() + x * 3_600_000);
const queueOf = (c: Raw): string => String(((c.available_queue_info as Raw[])[0] as Raw).name);

/** Selectors people write during planned work: by connection id or name, queue, type, target glob. */
function selectors(data: Raw[], projectId: string, region: string): SilenceMatch[] {
  const pick = (i: number) => data[i % data.length] as Raw;
  return [
    { connection: String(pick(2).id) },
    { connection: String(pick(Math.floor(data.length / 2)).name) },
    { queue: queueOf(pick(2)) },
    { type: 'CONNECTION_DELETED' },
    { target: `${region}:${projectId.slice(0, 8)}*`, type: 'PEERING_FAILED' },
    { type: 'PEERING_RECOVERED' },
    { target: `${region.slice(0, 3)}*:*`, queue: queueOf(pick(1)) },
    { connection: String(pick(5).id), type: 'PEERING_FAILED' },
  ];
}

export interface OncallFigures extends Counts {
  /** Posts the platform dropped as repeats of a key it had (crash between send and record). */
  resentSameKey: number;
  silencedPosted: number;
  remindersPerInterval: number;
  acks: number;
  reminders: number;
  held: number;
}

export async function runOncall(
  h: Harness,
  sink: WebhookSink,
  opts: { seed: number; n: number; failRate: number; maxCrashes: number },
): Promise<OncallFigures> {
  const rnd = prng(opts.seed);
  const c = await newCase(h.config, undefined, { stream: true });
  const a = channel(sink, 'webhook', `oc-a-${c.projectId}`);
  const b = channel(sink, 'webhook', `oc-b-${c.projectId}`);
  const channels: ChannelConfig[] = [a, b];
  let faults = 0;
  let failing = true;
  sink.on(`/${b.name}`, () => {
    if (!failing || rnd() >= opts.failRate) return OK.webhook;
    faults++;
    return rnd() < 0.5 ? { status: 500, body: 'busy' } : { status: 429, headers: { 'retry-after': '1' } };
  });
  // The notifier's own client: its writes (delivery records, silence and inhibition marks) may die
  // after the HTTP post went out.
  const notifierStore: Store = { ...c.store };
  let crashes = 0;
  notifierStore.beforeWrite = () => {
    if (crashes < opts.maxCrashes && rnd() < 0.1) {
      crashes++;
      throw new Crash('notifier stopped between send and record');
    }
  };
  const logs: Record<string, unknown>[] = [];
  const handler = createStreamHandler({ store: notifierStore, channels, deps: notifyDeps(logs) });
  const poller = startStreamPoller({ store: c.store, handler, intervalMs: 30, log: () => {} });

  const steps = scenarioSteps(opts.n);
  const s2 = steps[1] as Raw[];
  const all = selectors(s2, c.projectId, c.target.region);
  const silences: Silence[] = [0, 1].map((k) => ({
    id: newSilenceId(hour(1.5).getTime() + k),
    match: all[Math.floor(rnd() * all.length)] as SilenceMatch,
    startsAt: iso(hour(1.5)),
    endsAt: iso(hour(2.5)),
    reason: 'planned work',
    createdBy: 'reliability',
  }));
  const acked: string[] = [];
  const ackFirstFailure = async (after: Date, now: Date): Promise<void> => {
    const open = (await listEvents(c.store, { from: iso(after) })).items.filter(
      (e) => e.type === 'PEERING_FAILED' && !acked.includes(e.id),
    );
    const e = open[Math.floor(rnd() * open.length)];
    if (!e) return;
    // Mid-flight: the notifier may not have posted the alert yet.
    await acknowledge(c.store, e.id, { by: 'oncall', note: 'on it', now: iso(now) });
    acked.push(e.id);
  };
  const remind = async (x: number) =>
    remindStep(c.store, { now: hour(x).getTime(), remindAfterMs: REMIND_MS });
  let runs = 0;
  try {
    await step(h.dli, c, steps[0] as Raw[], at(1));
    await ackFirstFailure(at(1), hour(1.1));
    for (const s of silences) await putSilence(c.store, s);
    await remind(1.7);
    await step(h.dli, c, s2, at(2));
    await ackFirstFailure(at(2), hour(2.1));
    await remind(2.2);
    await remind(2.2); // a
    await step(h.dli, c, steps[2] as Raw[], at(4));
    await remind(4.5);
    await remind(4.6);
    runs += 3;
    await poller.drain(30_000);
  } finally {
    await poller.stop();
  }
  // The hook works again; the operator redelivers what was parked, and each acknowledged alert.
  failing = false;
  const deps = notifyDeps(logs);
  await redeliver(c.store, channels, { failed: true }, deps);
  for (const id of acked) await redeliver(c.store, channels, { eventId: id }, deps);
  return judge(c.store, sink, channels, silences, acked, { faults: faults + crashes, runs });
}

type Posted = { key: string; events: ChangeEvent[] };
const postsOf = (reqs: SinkRequest[]): Posted[] =>
  reqs.map((r) => ({
    key: String(r.headers['idempotency-key'] ?? ''),
    events: (r.json as { events?: ChangeEvent[] }).events ?? [],
  }));

async function judge(
  store: Store,
  sink: WebhookSink,
  channels: readonly ChannelConfig[],
  silences: readonly Silence[],
  acked: readonly string[],
  base: { faults: number; runs: number },
): Promise<OncallFigures> {
  const events = (await listEvents(store)).items;
  const reminders = await listRemindersSince(store, '0');
  const outbox = [...events, ...reminders];
  // The oracle: a silence holds an event when it is active at the event's detectedAt and matches it.
  const held = new Set(outbox.filter((e) => silencing(silences, e, e.detectedAt) !== null).map((e) => e.id));
  const stored = new Map(
    await Promise.all(outbox.map(async (e) => [e.id, await getEvent(store, e.id)] as const)),
  );
  // The product's own record agrees with the oracle (the mark is what `events` shows).
  for (const e of outbox)
    expect(stored.get(e.id)?.silencedBy != null, `silencedBy of ${e.id}`).toBe(held.has(e.id));
  const inhibited = (id: string) => {
    const item = stored.get(id) as (ChangeEvent & { inhibitedBy?: unknown }) | null | undefined;
    return typeof item?.inhibitedBy === 'string';
  };
  const due = outbox.filter((e) => !held.has(e.id) && !inhibited(e.id));

  let lost = 0;
  let duplicated = 0;
  let resentSameKey = 0;
  let silencedPosted = 0;
  for (const ch of channels) {
    const posts = postsOf(sink.to(`/${ch.name}`));
    // The platform drops a repeat of a key it has seen: what it shows is one post per key.
    const byKey = new Map<string, Posted>();
    for (const p of posts) byKey.set(p.key, p);
    resentSameKey += posts.length - byKey.size;
    const shown = [...byKey.values()];
    const alerts = shown.filter((p) => !p.key.startsWith('ack_'));
    const ackPosts = shown.filter((p) => p.key.startsWith('ack_'));
    const ids = alerts.flatMap((p) => p.events.map((e) => e.id));
    const idSet = new Set(ids);
    duplicated += ids.length - idSet.size;
    const missing = due.filter((e) => !idSet.has(e.id));
    lost += missing.length;
    // Every post, repeats included: a silenced event must not reach the platform even once.
    silencedPosted += posts
      .filter((p) => !p.key.startsWith('ack_'))
      .flatMap((p) => p.events)
      .filter((e) => held.has(e.id)).length;
    // Each ack reaches exactly the channels that showed its alert, once.
    for (const id of acked) {
      const n = ackPosts.filter((p) => p.key === ackMessageKey(id)).length;
      if (idSet.has(id)) lost += n === 0 ? 1 : 0;
      else expect(n, `ack of ${id} on ${ch.name}, which never showed the alert`).toBe(0);
    }
  }
  // At most one reminder per alert per interval (a silence-end reminder counts as its interval's).
  const slots = reminders.map((r) => {
    const info = r.reminder;
    const n = info ? Math.floor((Date.parse(r.detectedAt) - Date.parse(info.openSince)) / REMIND_MS) : -1;
    return `${info?.of}|${n}`;
  });
  const remindersPerInterval = slots.length - new Set(slots).size;
  return {
    ...base,
    eventsChecked: outbox.length,
    lost,
    duplicated,
    resentSameKey,
    silencedPosted,
    remindersPerInterval,
    acks: acked.length,
    reminders: reminders.length,
    held: held.size,
  };
}
