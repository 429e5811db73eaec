/** deliverEvents and redeliver against DynamoDB Local and a real local HTTP sink. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OK, sequence, startWebhookSink, type WebhookSink } from '../../../infra/local/webhook-sink.ts';
import { eventId } from '../../../lib/model/event-id.ts';
import { deliverEvents, redeliver } from '../../../lib/notify/deliver.ts';
import type { Store } from '../../../lib/store/client.ts';
import { findFailedEvents, recordDelivery } from '../../../lib/store/delivery.ts';
import { keys } from '../../../lib/store/table.ts';
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

async function item(id: string): Promise<Record<string, unknown>> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: { PK: keys.eventPk(id), SK: keys.eventSk() } }),
  );
  return out.Item ?? {};
}

describe('deliverEvents', () => {
  it('sends to each routed channel, records delivery on the event item, and never sends twice', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const events = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const channels = [
      sinkChannel(sink, 'slack', 'ops'),
      sinkChannel(sink, 'dingtalk', 'cn'),
      sinkChannel(sink, 'webhook', 'hook'),
    ];
    const deps = testDeps();

    const first = await deliverEvents(store, events, channels, deps);
    expect(first.events).toEqual([
      {
        eventId: events[0]?.id,
        retry: false,
        state: 'delivered',
        channels: { ops: { status: 'sent' }, cn: { status: 'sent' }, hook: { status: 'sent' } },
      },
    ]);
    expect(sink.requests).toHaveLength(3);
    const stored = await item(events[0]?.id ?? '');
    expect(stored.delivery).toEqual({
      ops: { status: 'sent', at: expect.any(String), attempts: 1, via: 'event', key: events[0]?.id },
      cn: { status: 'sent', at: expect.any(String), attempts: 1, via: 'event', key: events[0]?.id },
      hook: { status: 'sent', at: expect.any(String), attempts: 1, via: 'event', key: events[0]?.id },
    });
    expect(stored.deliveryState).toBeUndefined();

    const again = await deliverEvents(store, events, channels, deps);
    expect(again.events[0]?.channels).toEqual({
      ops: { status: 'already' },
      cn: { status: 'already' },
      hook: { status: 'already' },
    });
    expect(sink.requests).toHaveLength(3);
  });

  it('routes by targets and event types, and leaves recoveries out where switched off', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const failed = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const recovered = await world.run(START + 2 * MIN, { a: { q1: 'ACTIVE' } });
    const channels = [
      sinkChannel(sink, 'slack', 'all'),
      sinkChannel(sink, 'teams', 'elsewhere', { targets: ['ap-southeast-1:*'] }),
      sinkChannel(sink, 'discord', 'deletions', { events: ['CONNECTION_DELETED'] }),
      sinkChannel(sink, 'wecom', 'no-recovery', { recovered: false }),
    ];
    await deliverEvents(store, [...failed, ...recovered], channels, testDeps());
    expect(sink.to('/all')).toHaveLength(2);
    expect(sink.to('/elsewhere')).toHaveLength(0);
    expect(sink.to('/deletions')).toHaveLength(0);
    expect(sink.to('/no-recovery')).toHaveLength(1);
  });

  it('a recovery message names the failure alert it closes', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const [failed] = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    await world.run(START + 2 * MIN, { a: { q1: 'FAILED' }, b: {} });
    const recovered = await world.run(START + 3 * MIN, { a: { q1: 'ACTIVE' } });
    const hook = sinkChannel(sink, 'webhook', 'hook');
    await deliverEvents(store, recovered, [hook], testDeps());
    const body = sink.to('/hook')[0]?.json as { note: string };
    expect(failed?.id).toBe(eventId('PEERING_FAILED', 'a', 'queue', 'q1', 2));
    expect(body.note).toBe(
      `Recovers the failure alert ${failed?.id} detected at ${new Date(START + MIN).toISOString()}.`,
    );
  });

  it('digests a batch with more than M events for a channel into one message', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `c${i}`);
    await world.run(START, Object.fromEntries(ids.map((id) => [id, { q1: 'ACTIVE' }])));
    const events = await world.run(START + MIN, Object.fromEntries(ids.map((id) => [id, { q1: 'FAILED' }])));
    const digest = sinkChannel(sink, 'dingtalk', 'digest', { digestThreshold: 10 });
    const single = sinkChannel(sink, 'slack', 'single', { digestThreshold: 0 });
    // Every peering of the target failing would be an outage (outage.test.ts); this one is about digests.
    const deps = testDeps({ digestThreshold: 10, outage: { minPeerings: 0, share: 0.8 } });
    const report = await deliverEvents(store, events, [digest, single], deps);
    expect(report.messages).toBe(13);
    expect(sink.to('/digest')).toHaveLength(1);
    expect(sink.to('/single')).toHaveLength(12);
    const body = sink.to('/digest')[0]?.json as { msgUuid: string; markdown: { title: string } };
    expect(body.markdown.title).toBe('12 DLI connection events');
    expect(body.msgUuid).toMatch(/^dig_/);
    for (const e of events)
      expect(((await item(e.id)).delivery as Record<string, unknown>).digest).toMatchObject({
        status: 'sent',
        via: 'digest',
        key: body.msgUuid,
      });
  });

  it('suppresses a flapping peering: N alerts, one flapping message, then quiet', async () => {
    const hook = sinkChannel(sink, 'webhook', 'hook');
    const deps = testDeps({ flap: { threshold: 2, windowMs: 60 * MIN } });
    await world.run(START, { a: { q1: 'ACTIVE' } });
    // Each run's events delivered as the stream would, one batch per run.
    for (let i = 1; i <= 8; i++) {
      const events = await world.run(START + i * 5 * MIN, { a: { q1: i % 2 ? 'FAILED' : 'ACTIVE' } });
      await deliverEvents(store, events, [hook], deps);
    }
    const kinds = sink
      .to('/hook')
      .map(
        (r) =>
          (r.json as { kind: string; events: { type: string }[] }).kind +
          ':' +
          (r.json as { events: { type: string }[] }).events[0]?.type,
      );
    expect(kinds).toEqual([
      'event:PEERING_FAILED',
      'event:PEERING_RECOVERED',
      'event:PEERING_FAILED',
      'event:PEERING_RECOVERED',
      'flapping:PEERING_FAILED',
    ]);
    const suppressed = await world.run(START + 45 * MIN, { a: { q1: 'FAILED' } });
    const report = await deliverEvents(store, suppressed, [hook], deps);
    expect(report.events[0]).toMatchObject({
      state: 'delivered',
      channels: { hook: { status: 'suppressed' } },
    });
    expect(sink.to('/hook')).toHaveLength(5);
  });

  it('parks an event after the retry budget, finds it as failed, and redelivers it', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const events = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const id = events[0]?.id ?? '';
    const down = sinkChannel(sink, 'slack', 'down');
    const up = sinkChannel(sink, 'webhook', 'up');
    sink.on('/down', { status: 503 });
    const deps = testDeps({ maxDeliveryAttempts: 3 });

    const attempts = [];
    for (let i = 0; i < 3; i++)
      attempts.push((await deliverEvents(store, events, [down, up], deps)).events[0]);
    expect(attempts.map((a) => [a?.retry, a?.state, a?.channels.down?.status])).toEqual([
      [true, 'pending', 'retrying'],
      [true, 'pending', 'retrying'],
      [false, 'failed', 'failed'],
    ]);
    expect(sink.to('/up')).toHaveLength(1);
    expect(sink.to('/down')).toHaveLength(6);
    const parked = await item(id);
    expect(parked.deliveryState).toBe('failed');
    expect((parked.delivery as Record<string, unknown>).down).toMatchObject({
      status: 'failed',
      attempts: 3,
      reason: 'HTTP 503',
    });

    // The stream does not retry a parked channel.
    expect((await deliverEvents(store, events, [down, up], deps)).events[0]).toMatchObject({
      retry: false,
      channels: { down: { status: 'failed' } },
    });
    expect(sink.to('/down')).toHaveLength(6);

    expect((await findFailedEvents(store, {})).map((e) => e.id)).toEqual([id]);
    expect(await findFailedEvents(store, { from: new Date(START + 2 * MIN).toISOString() })).toEqual([]);

    sink.on('/down', OK.slack);
    const report = await redeliver(store, [down, up], { failed: true }, testDeps());
    expect(report.events[0]).toMatchObject({
      eventId: id,
      state: 'delivered',
      channels: { down: { status: 'sent' }, up: { status: 'already' } },
    });
    expect((await item(id)).deliveryState).toBe('delivered');
    expect(await findFailedEvents(store, {})).toEqual([]);
    expect(sink.to('/up')).toHaveLength(1);
  });

  it('a channel that is down is not tried further in the batch; its events count an attempt together', async () => {
    const ids = ['a', 'b', 'c'];
    await world.run(START, Object.fromEntries(ids.map((id) => [id, { q1: 'ACTIVE' }])));
    const events = await world.run(START + MIN, Object.fromEntries(ids.map((id) => [id, { q1: 'FAILED' }])));
    const down = sinkChannel(sink, 'teams', 'down');
    sink.on('/down', { status: 502 });
    const report = await deliverEvents(store, events, [down], testDeps());
    // Two messages tried (two HTTP attempts each), the third not.
    expect(sink.to('/down')).toHaveLength(4);
    expect(report.events.map((e) => e.channels.down)).toEqual([
      { status: 'retrying', reason: 'HTTP 502' },
      { status: 'retrying', reason: 'HTTP 502' },
      { status: 'retrying', reason: 'not tried: HTTP 502' },
    ]);
    for (const e of events)
      expect(((await item(e.id)).delivery as Record<string, unknown>).down).toMatchObject({
        status: 'retrying',
        attempts: 1,
      });
  });

  it('parks at once on a permanent failure; redeliver by id', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const events = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const gone = sinkChannel(sink, 'discord', 'gone');
    sink.on('/gone', { status: 404, body: '{"message":"Unknown Webhook","code":10015}' });
    const report = await deliverEvents(store, events, [gone], testDeps());
    expect(report.events[0]).toMatchObject({
      retry: false,
      state: 'failed',
      channels: { gone: { status: 'failed', reason: 'HTTP 404' } },
    });
    sink.on('/gone', OK.discord);
    const again = await redeliver(store, [gone], { eventId: events[0]?.id ?? '' }, testDeps());
    expect(again.events[0]).toMatchObject({ state: 'delivered', channels: { gone: { status: 'sent' } } });
    expect((await redeliver(store, [gone], { eventId: 'evt_nope' }, testDeps())).events).toEqual([
      { eventId: 'evt_nope', retry: false, state: 'missing', channels: {} },
    ]);
  });

  it('a send whose record cannot be written is retried; keyed channels reuse their key', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const events = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const cn = sinkChannel(sink, 'dingtalk', 'cn');
    const broken: Store = {
      ...store,
      beforeWrite: () => {
        throw new Error('killed before the record');
      },
    };
    const first = await deliverEvents(broken, events, [cn], testDeps());
    expect(first.events[0]).toMatchObject({ retry: true, channels: { cn: { status: 'unrecorded' } } });
    await deliverEvents(store, events, [cn], testDeps());
    const uuids = sink.to('/cn').map((r) => (r.json as { msgUuid: string }).msgUuid);
    expect(uuids).toEqual([events[0]?.id, events[0]?.id]);
  });

  it('honours a 429 within a batch and keeps the other channels going', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const events = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const slow = sinkChannel(sink, 'slack', 'slow');
    sink.on('/slow', sequence({ status: 429, headers: { 'retry-after': '7' } }, OK.slack));
    const fast = sinkChannel(sink, 'googlechat', 'fast');
    const report = await deliverEvents(store, events, [slow, fast], testDeps());
    expect(report.events[0]?.channels).toEqual({ slow: { status: 'sent' }, fast: { status: 'sent' } });
    expect(sink.to('/slow')).toHaveLength(2);
  });

  it('the first completed record wins', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const [e] = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const id = e?.id ?? '';
    expect(await recordDelivery(store, id, 'x', { status: 'sent', at: 'a', attempts: 1 })).toBe(true);
    expect(await recordDelivery(store, id, 'x', { status: 'failed', at: 'b', attempts: 1 })).toBe(false);
    expect(await recordDelivery(store, id, 'y', { status: 'retrying', at: 'c', attempts: 1 })).toBe(true);
    expect(await recordDelivery(store, id, 'y', { status: 'sent', at: 'd', attempts: 2 })).toBe(true);
    expect(await recordDelivery(store, 'evt_missing', 'x', { status: 'sent', at: 'a', attempts: 1 })).toBe(
      false,
    );
    expect((await item(id)).delivery).toEqual({
      x: { status: 'sent', at: 'a', attempts: 1 },
      y: { status: 'sent', at: 'd', attempts: 2 },
    });
    expect(await item('evt_missing')).toEqual({});
  });
});
