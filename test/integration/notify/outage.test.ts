/**
 * Target-wide outage through the notifier on DynamoDB Local, with local sinks: most peerings of one
 * target failing in one run become one message per channel; each failure records it was sent by it.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../../infra/local/webhook-sink.ts';
import { deliverEvents, redeliver } from '../../../lib/notify/deliver.ts';
import type { Store } from '../../../lib/store/client.ts';
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

const deliveryOf = async (id: string) =>
  (
    await store.doc.send(
      new GetCommand({ TableName: store.tableName, Key: { PK: keys.eventPk(id), SK: keys.eventSk() } }),
    )
  ).Item?.delivery;

/** `conns` connections × 5 queues; `failed` of the peerings FAILED (in connection order). */
function statuses(failed: number, conns = 8): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (let c = 0; c < conns; c++) {
    const queues: Record<string, string> = {};
    for (let q = 0; q < 5; q++) queues[`q${q}`] = c * 5 + q < failed ? 'FAILED' : 'ACTIVE';
    out[`c${c}`] = queues;
  }
  return out;
}

describe('target-wide outage', () => {
  it('37 of 40 peerings failing in one run: one message per channel, each failure recorded as sent by it', async () => {
    const hook = sinkChannel(sink, 'webhook', 'hook');
    const pager = sinkChannel(sink, 'pagerduty', 'pager');
    await world.run(START, statuses(0));
    const failures = await world.run(START + MIN, statuses(37));
    expect(failures).toHaveLength(37);

    const report = await deliverEvents(store, failures, [hook, pager], testDeps());
    expect(report.messages).toBe(2);
    const [msg] = sink.to('/hook').map((r) => r.json as { kind: string; title: string; events: unknown[] });
    expect(sink.to('/hook')).toHaveLength(1);
    expect(msg).toMatchObject({ kind: 'outage', title: 'Outage: 37 of 40 peerings of cn-north-4/p1 failed' });
    expect(msg?.events).toHaveLength(37);
    const pages = sink.to('/pager').map((r) => r.json as { event_action: string; dedup_key: string });
    expect(pages).toEqual([
      expect.objectContaining({ event_action: 'trigger', dedup_key: 'cn-north-4/p1/target' }),
    ]);
    const key = String(sink.to('/hook')[0]?.headers['idempotency-key']);
    expect(key).toMatch(/^out_/);
    for (const delivery of await Promise.all(failures.map((f) => deliveryOf(f.id))))
      expect(delivery).toMatchObject({
        hook: { status: 'sent', via: 'outage', key },
        pager: { status: 'sent', via: 'outage', key },
      });
    expect(report.events.every((e) => !e.retry && e.state === 'delivered')).toBe(true);

    // Exactly once: a repeated batch sends nothing more, not one by one either.
    await deliverEvents(store, failures, [hook, pager], testDeps());
    expect(sink.requests).toHaveLength(2);
  });

  it('7 of 10 (below 80 %) is not an outage: the failures go out one by one as before', async () => {
    const hook = sinkChannel(sink, 'webhook', 'hook');
    await world.run(START, statuses(0, 2));
    const failures = await world.run(START + MIN, statuses(7, 2));
    await deliverEvents(store, failures, [hook], testDeps());
    expect(sink.to('/hook').map((r) => (r.json as { kind: string }).kind)).toEqual(Array(7).fill('event'));
  });

  it('an outage message parked on a channel is redelivered as one message with the same key', async () => {
    const hook = sinkChannel(sink, 'webhook', 'hook');
    await world.run(START, statuses(0, 2));
    const failures = await world.run(START + MIN, statuses(10, 2));
    // A final answer parks every failure on the channel at once.
    sink.on('/hook', () => ({ status: 400, body: 'refused' }));
    const first = await deliverEvents(store, failures, [hook], testDeps());
    expect(first.events.every((e) => e.state === 'failed')).toBe(true);
    sinkChannel(sink, 'webhook', 'hook');
    const again = await redeliver(store, [hook], { failed: true }, testDeps());
    expect(again.messages).toBe(1);
    expect(again.events.every((e) => e.state === 'delivered')).toBe(true);
    const keys = sink.to('/hook').map((r) => String(r.headers['idempotency-key']));
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    expect(sink.to('/hook').at(-1)?.json).toMatchObject({
      title: 'Outage: 10 of 10 peerings of cn-north-4/p1 failed',
    });
  });
});
