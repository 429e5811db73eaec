/** Silences and reminders through the real outbox: DynamoDB Local, the real diff, a local HTTP sink. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../../infra/local/webhook-sink.ts';
import { deliverEvents, redeliver } from '../../../lib/notify/deliver.ts';
import type { Store } from '../../../lib/store/client.ts';
import { listEvents } from '../../../lib/store/query.ts';
import { listRemindersSince, putReminder } from '../../../lib/store/reminders.ts';
import { expireSilence, putSilence } from '../../../lib/store/silences.ts';
import { keys } from '../../../lib/store/table.ts';
import { remindStep } from '../../../lib/sync/remind.ts';
import { createTestStore } from '../../support/store.ts';
import { MIN, START, sinkChannel, testDeps, World } from './world.ts';

let sink: WebhookSink;
let store: Store;
let world: World;
beforeAll(async () => {
  sink = await startWebhookSink();
});
afterAll(() => sink.close());
beforeEach(async () => {
  store = await createTestStore();
  world = new World(store);
  sink.requests.length = 0;
});

const iso = (ms: number) => new Date(ms).toISOString();

async function item(id: string): Promise<Record<string, unknown>> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: { PK: keys.eventPk(id), SK: keys.eventSk() } }),
  );
  return out.Item ?? {};
}

describe('silences at delivery', () => {
  it('a silenced event is stored with silencedBy, shown by events, and never posted; others still are', async () => {
    await putSilence(store, {
      id: 'sil_maint',
      match: { target: 'cn-north-4:*', queue: 'q1' },
      startsAt: iso(START),
      endsAt: iso(START + 60 * MIN),
      reason: 'VPC maintenance',
      createdBy: 'alice',
    });
    await world.run(START, { a: { q1: 'ACTIVE', q2: 'ACTIVE' } });
    const events = await world.run(START + MIN, { a: { q1: 'FAILED', q2: 'FAILED' } });
    const q1 = events.find((e) => e.queue === 'q1');
    const q2 = events.find((e) => e.queue === 'q2');
    const channels = [sinkChannel(sink, 'slack', 'ops'), sinkChannel(sink, 'webhook', 'hook')];

    const report = await deliverEvents(store, events, channels, testDeps());
    expect(report.events.find((r) => r.eventId === q1?.id)).toEqual({
      eventId: q1?.id,
      retry: false,
      state: 'silenced',
      channels: { ops: { status: 'suppressed' }, hook: { status: 'suppressed' } },
    });
    expect(report.events.find((r) => r.eventId === q2?.id)?.state).toBe('delivered');
    expect(sink.requests).toHaveLength(2);
    expect(sink.requests.every((r) => !JSON.stringify(r.body).includes('q1'))).toBe(true);
    expect((await item(q1?.id ?? '')).silencedBy).toBe('sil_maint');
    const listed = (await listEvents(store)).items;
    expect(listed.find((e) => e.id === q1?.id)?.silencedBy).toBe('sil_maint');
    expect(listed.find((e) => e.id === q2?.id)?.silencedBy).toBeNull();

    // A retried batch, and redeliver after the silence was expired, still send nothing for it:
    // the decision is at detectedAt, and the mark on the item is final.
    await deliverEvents(store, events, channels, testDeps());
    await expireSilence(store, 'sil_maint', iso(START + 2 * MIN));
    const again = await redeliver(store, channels, { eventId: q1?.id ?? '' }, testDeps());
    expect(again.events[0]?.state).toBe('silenced');
    expect(sink.requests).toHaveLength(2);

    // After the silence ended, the next failure of q1 is sent.
    await world.run(START + 3 * MIN, { a: { q1: 'ACTIVE', q2: 'FAILED' } });
    const later = await world.run(START + 4 * MIN, { a: { q1: 'FAILED', q2: 'FAILED' } });
    await deliverEvents(store, later, channels, testDeps());
    expect(sink.requests).toHaveLength(4);
  });
});

describe('reminders through the outbox', () => {
  const H = 60 * MIN;
  const step = (now: number, remindAfterMs = 4 * H) => remindStep(store, { now, remindAfterMs });

  it('periodic: one per interval, posted as a reminder, none once acknowledged; a retry never duplicates', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const [failure] = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    expect(await step(START + 3 * H)).toEqual({ due: 0, created: 0 });
    expect(await step(START + 5 * H)).toEqual({ due: 1, created: 1 });
    expect(await step(START + 6 * H)).toEqual({ due: 0, created: 0 });
    const [reminder] = await listRemindersSince(store, '0');
    expect(reminder?.reminder).toMatchObject({
      kind: 'periodic',
      of: failure?.id,
      openSince: failure?.detectedAt,
    });
    // A crash between deciding and recording, or a concurrent tick: the same id, written once.
    expect(await putReminder(store, reminder!)).toBe(false);
    // Reminders are not changes: `events` does not list them.
    expect((await listEvents(store)).items.map((e) => e.id)).toEqual([failure?.id]);

    const channels = [
      sinkChannel(sink, 'webhook', 'hook', { digestThreshold: 0 }),
      sinkChannel(sink, 'slack', 'quiet', { reminders: false }),
    ];
    const report = await deliverEvents(store, [reminder!], channels, testDeps());
    expect(report.events[0]).toMatchObject({ state: 'delivered', channels: { hook: { status: 'sent' } } });
    expect(Object.keys(report.events[0]?.channels ?? {})).toEqual(['hook']);
    expect(sink.requests).toHaveLength(1);
    const body = JSON.parse(sink.requests[0]?.body ?? '{}') as { title: string; summary: string };
    expect(body.title).toMatch(/^Reminder: Peering failed/);
    expect(body.summary).toContain(`open since ${failure?.detectedAt}`);

    await store.doc.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { PK: keys.eventPk(failure?.id ?? ''), SK: keys.eventSk() },
        UpdateExpression: 'SET acknowledgedBy = :b, acknowledgedAt = :a',
        ExpressionAttributeValues: { ':b': 'bob', ':a': iso(START + 6 * H) },
      }),
    );
    expect(await step(START + 13 * H)).toEqual({ due: 0, created: 0 });
  });

  it('a reminder of an alert the channel already showed is still posted (it starts with no delivery records)', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const [failure] = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const hook = sinkChannel(sink, 'webhook', 'hook', { digestThreshold: 0 });
    await deliverEvents(store, [failure!], [hook], testDeps());
    expect(await step(START + 5 * H)).toEqual({ due: 1, created: 1 });
    const [reminder] = await listRemindersSince(store, '0');
    expect((await item(reminder?.id ?? '')).delivery).toBeUndefined();
    const report = await deliverEvents(store, [reminder!], [hook], testDeps());
    expect(report.events[0]?.channels).toEqual({ hook: { status: 'sent' } });
    expect(sink.requests.map((r) => r.headers['idempotency-key'])).toEqual([failure?.id, reminder?.id]);
  });

  it('silence end: exactly one reminder for a peering still FAILED, none while it holds', async () => {
    await putSilence(store, {
      id: 'sil_window',
      match: { queue: 'q1' },
      startsAt: iso(START),
      endsAt: iso(START + 2 * H),
      reason: 'planned',
      createdBy: null,
    });
    await world.run(START, { a: { q1: 'ACTIVE', q2: 'ACTIVE' } });
    await world.run(START + MIN, { a: { q1: 'FAILED', q2: 'FAILED' } });
    expect(await step(START + H, 0)).toEqual({ due: 0, created: 0 });
    expect(await step(START + 2 * H, 0)).toEqual({ due: 1, created: 1 });
    expect(await step(START + 3 * H, 0)).toEqual({ due: 0, created: 0 });
    const [r] = await listRemindersSince(store, '0');
    expect(r?.reminder).toMatchObject({ kind: 'silence-ended', silenceId: 'sil_window' });
    expect(r?.queue).toBe('q1');
  });
});
