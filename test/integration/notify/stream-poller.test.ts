/**
 * The whole path on DynamoDB Local: sync writes → table stream → local poller (the Lambda event
 * source, same filter and batch shape) → notifier → real HTTP sink.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type StreamPoller, startStreamPoller } from '../../../infra/local/stream-poller.ts';
import { type SinkRequest, startWebhookSink, type WebhookSink } from '../../../infra/local/webhook-sink.ts';
import type { ChannelConfig } from '../../../lib/notify/config.ts';
import { redeliver } from '../../../lib/notify/deliver.ts';
import { createStreamHandler } from '../../../lib/notify/handler.ts';
import type { Store } from '../../../lib/store/client.ts';
import { findFailedEvents } from '../../../lib/store/delivery.ts';
import { keys } from '../../../lib/store/table.ts';
import { createTestStore } from '../../support/store.ts';
import { MIN, START, sinkChannel, testDeps, World } from './world.ts';

let sink: WebhookSink;
let store: Store;
let world: World;
const pollers: StreamPoller[] = [];
beforeAll(async () => {
  sink = await startWebhookSink();
});
afterAll(() => sink.close());
beforeEach(async () => {
  store = await createTestStore({ stream: true });
  world = new World(store);
  sink.requests.length = 0;
});
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

const quiet = () => {};
function poller(handler: Parameters<typeof startStreamPoller>[0]['handler'], s: Store = store): StreamPoller {
  const p = startStreamPoller({ store: s, handler, intervalMs: 50, log: quiet });
  pollers.push(p);
  return p;
}

async function item(id: string): Promise<Record<string, unknown>> {
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { PK: keys.eventPk(id), SK: keys.eventSk() },
      ConsistentRead: true,
    }),
  );
  return out.Item ?? {};
}

/** The idempotency key a platform deduplicates on: DingTalk's msgUuid, the webhook's header. */
const keyOf = (r: SinkRequest): string =>
  String(r.headers['idempotency-key'] ?? (r.json as { msgUuid?: string }).msgUuid ?? '');

describe('stream poller + notifier', () => {
  it('feeds new events to the handler and nothing else', async () => {
    const ops = sinkChannel(sink, 'webhook', 'ops');
    const seen: unknown[] = [];
    const handler = createStreamHandler({ store, channels: [ops], deps: testDeps() });
    const p = poller(async (event) => {
      seen.push(event);
      return handler(event);
    });
    await world.run(START, { a: { q1: 'ACTIVE' }, b: { q1: 'ACTIVE' } });
    const events = await world.run(START + MIN, { a: { q1: 'FAILED' }, b: { q1: 'FAILED' } });
    await p.drain();
    expect(sink.to('/ops').map(keyOf).sort()).toEqual(events.map((e) => e.id).sort());
    const records = seen.flatMap(
      (b) =>
        (
          b as {
            Records: {
              eventName: string;
              eventSource: string;
              dynamodb: {
                NewImage: { entity: { S: string } };
                SequenceNumber: string;
                ApproximateCreationDateTime: number;
              };
            }[];
          }
        ).Records,
    );
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(r.eventName).toBe('INSERT');
      expect(r.eventSource).toBe('aws:dynamodb');
      expect(r.dynamodb.NewImage.entity.S).toBe('event');
      expect(typeof r.dynamodb.ApproximateCreationDateTime).toBe('number');
    }
  });

  it('killed after posting and before recording: a restart re-posts with the same key, never a new message', async () => {
    const channels: ChannelConfig[] = [
      sinkChannel(sink, 'dingtalk', 'cn'),
      sinkChannel(sink, 'webhook', 'hook'),
      sinkChannel(sink, 'slack', 'ops'),
    ];
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const [event] = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const id = event?.id ?? '';

    // First process: every post succeeds, every delivery record write dies, then the process dies.
    const dying: Store = {
      ...store,
      beforeWrite: () => {
        throw new Error('process killed');
      },
    };
    let killed!: () => void;
    const died = new Promise<void>((r) => {
      killed = r;
    });
    const first: StreamPoller = poller(async (batch) => {
      await createStreamHandler({ store: dying, channels, deps: testDeps() })(batch);
      void first.stop();
      killed();
      throw new Error('process killed');
    });
    await died;
    await first.stop();
    expect(sink.requests).toHaveLength(3);
    expect((await item(id)).delivery).toBeUndefined();

    // Restart: the stream hands the event over again.
    await poller(createStreamHandler({ store, channels, deps: testDeps() })).drain();
    for (const path of ['/cn', '/hook']) {
      const posts = sink.to(path);
      expect(posts).toHaveLength(2);
      // Same key twice: the platform shows one message.
      expect(new Set(posts.map(keyOf))).toEqual(new Set([id]));
    }
    // Slack has no idempotency key: at most one duplicate.
    expect(sink.to('/ops').length).toBeLessThanOrEqual(2);
    const delivery = (await item(id)).delivery as Record<string, { status: string }>;
    expect(Object.fromEntries(Object.entries(delivery).map(([k, v]) => [k, v.status]))).toEqual({
      cn: 'sent',
      hook: 'sent',
      ops: 'sent',
    });

    // A further restart replays the stream from the start and posts nothing.
    const before = sink.requests.length;
    await poller(createStreamHandler({ store, channels, deps: testDeps() })).drain();
    expect(sink.requests).toHaveLength(before);
  });

  it('a poison event is parked as undelivered without holding up the shard, then redelivered', async () => {
    const hook = sinkChannel(sink, 'webhook', 'hook');
    let broken = true;
    sink.on('/hook', (req) => {
      const conn = (req.json as { events: { connectionId: string }[] }).events[0]?.connectionId;
      return broken && conn === 'poison' ? { status: 500 } : { status: 204 };
    });
    const deps = testDeps({ maxDeliveryAttempts: 3 });
    const p = poller(createStreamHandler({ store, channels: [hook], deps }));
    await world.run(START, { poison: { q1: 'ACTIVE' }, good: { q1: 'ACTIVE' } });
    const events = await world.run(START + MIN, { poison: { q1: 'FAILED' }, good: { q1: 'FAILED' } });
    const later = await world.run(START + 2 * MIN, { poison: { q1: 'FAILED' }, good: { q1: 'ACTIVE' } });
    await p.drain();

    const poison = events.find((e) => e.connectionId === 'poison');
    const good = [...events, ...later].filter((e) => e.connectionId === 'good');
    for (const e of good)
      expect(((await item(e.id)).delivery as Record<string, { status: string }>).hook?.status).toBe('sent');
    const parked = await item(poison?.id ?? '');
    expect(parked.deliveryState).toBe('failed');
    expect((parked.delivery as Record<string, unknown>).hook).toMatchObject({
      status: 'failed',
      attempts: 3,
      reason: 'HTTP 500',
    });
    // Three batch attempts, two HTTP attempts each.
    const poisonPosts = () => sink.to('/hook').filter((r) => keyOf(r) === poison?.id);
    expect(poisonPosts()).toHaveLength(6);

    expect((await findFailedEvents(store, {})).map((e) => e.id)).toEqual([poison?.id]);
    broken = false;
    const report = await redeliver(store, [hook], { failed: true }, testDeps());
    expect(report.events).toEqual([
      { eventId: poison?.id, retry: false, state: 'delivered', channels: { hook: { status: 'sent' } } },
    ]);
    expect(poisonPosts()).toHaveLength(7);
    expect(await findFailedEvents(store, {})).toEqual([]);
    expect((await item(poison?.id ?? '')).deliveryState).toBe('delivered');
  });
});
