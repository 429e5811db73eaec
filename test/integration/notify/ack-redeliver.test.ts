/** Redelivering acknowledgements in-process: an ack that waited for its parked alert goes out after it. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../../infra/local/webhook-sink.ts';
import { deliverAcks } from '../../../lib/notify/ack-deliver.ts';
import { deliverEvents, redeliver } from '../../../lib/notify/deliver.ts';
import { acknowledgeEvent } from '../../../lib/store/ack.ts';
import type { Store } from '../../../lib/store/client.ts';
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

const ACK = { acknowledgedBy: 'alice', acknowledgedAt: '2026-11-28T10:05:00.000Z', ackNote: null };

describe('redeliver: acknowledgements', () => {
  it('an ack whose alert was parked goes out once the alert is redelivered', async () => {
    const hook = sinkChannel(sink, 'webhook', 'hook');
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const [failed] = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    sink.on('/hook', () => ({ status: 400, body: 'refused' }));
    await deliverEvents(store, [failed!], [hook], testDeps());
    await acknowledgeEvent(store, failed!.id, ACK);
    // The alert is parked: the ack waits (nothing recorded, so the ack itself is not parked).
    expect((await deliverAcks(store, [failed!.id], [hook], testDeps()))[0]?.channels).toEqual({});
    sinkChannel(sink, 'webhook', 'hook');
    const events = await redeliver(store, [hook], { failed: true }, testDeps());
    expect(events.events).toMatchObject([{ eventId: failed!.id, state: 'delivered' }]);
    expect(events.acks).toMatchObject([
      { eventId: failed!.id, state: 'delivered', channels: { hook: { status: 'sent' } } },
    ]);
    const keys = sink.to('/hook').map((r) => String(r.headers['idempotency-key']));
    expect(keys.slice(-2)).toEqual([failed!.id, `ack_${failed!.id.slice(4)}`]);
  });
});
