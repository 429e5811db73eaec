/**
 * Acknowledgements through the outbox on DynamoDB Local: the ack write's stream record → the
 * notifier's stream handler → real HTTP sink (the poller itself is covered by stream-poller.test.ts). Sent once, to the channels that had the alert, and never again.
 */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SinkRequest, startWebhookSink, type WebhookSink } from '../../../infra/local/webhook-sink.ts';
import { deliverAcks } from '../../../lib/notify/ack-deliver.ts';
import { deliverEvents } from '../../../lib/notify/deliver.ts';
import { createStreamHandler } from '../../../lib/notify/handler.ts';
import { matchesFilter, StreamRecordSchema } from '../../../lib/notify/stream.ts';
import { acknowledgeEvent } from '../../../lib/store/ack.ts';
import { readAck } from '../../../lib/store/ack-outbox.ts';
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
  store = await createTestStore({ stream: true });
  world = new World(store);
  sink.requests.length = 0;
});

let seq = 0;
/** The stream record of an item's INSERT, as Lambda (and infra/local/stream-poller.ts) hands it over. */
async function insertOf(eventId: string, sk: string) {
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { PK: keys.eventPk(eventId), SK: sk },
      ConsistentRead: true,
    }),
  );
  return {
    eventName: 'INSERT',
    dynamodb: { SequenceNumber: String(++seq).padStart(21, '0'), NewImage: marshall(out.Item ?? {}) },
  };
}
const keyOf = (r: SinkRequest): string => String(r.headers['idempotency-key'] ?? '');
const ACK = { acknowledgedBy: 'alice', acknowledgedAt: '2026-11-28T10:05:00.000Z', ackNote: 'on it' };

describe('acknowledgement through the outbox', () => {
  it('sends one acknowledgement to the channels that had the alert, and a replay sends nothing more', async () => {
    const hook = sinkChannel(sink, 'webhook', 'hook');
    // Routed away from this channel: it never saw the alert, so it gets no ack either.
    const other = sinkChannel(sink, 'webhook', 'other', { events: ['CONNECTION_DELETED'] });
    const handler = createStreamHandler({ store, channels: [hook, other], deps: testDeps() });
    await world.run(START, { a: { q1: 'ACTIVE', q2: 'ACTIVE' } });
    const [failed, second] = await world.run(START + MIN, { a: { q1: 'FAILED', q2: 'FAILED' } });
    const inserts = [await insertOf(failed!.id, 'EVENT'), await insertOf(second!.id, 'EVENT')];
    expect((await handler({ Records: inserts })).batchItemFailures).toEqual([]);
    expect(sink.to('/hook')).toHaveLength(2);

    expect(await acknowledgeEvent(store, failed!.id, ACK)).toMatchObject({ status: 'acknowledged' });
    // Twice: the first acknowledgement is kept and no second outbox item is made.
    expect(await acknowledgeEvent(store, failed!.id, { ...ACK, acknowledgedBy: 'bob' })).toMatchObject({
      status: 'already',
      event: { acknowledgedBy: 'alice' },
    });
    const ackInsert = await insertOf(failed!.id, 'ACK');
    expect(matchesFilter(StreamRecordSchema.parse(ackInsert))).toBe(true);
    expect((await handler({ Records: [ackInsert] })).batchItemFailures).toEqual([]);

    const acks = sink.to('/hook').slice(2);
    expect(acks.map(keyOf)).toEqual([`ack_${failed!.id.slice(4)}`]);
    const body = acks[0]!.json as { title: string; note: string; events: { acknowledgedBy: string }[] };
    expect(body.title).toContain('Acknowledged by alice');
    expect(body.note).toBe('Note: on it');
    expect(body.events[0]!.acknowledgedBy).toBe('alice');
    expect(sink.to('/other')).toHaveLength(0);
    expect((await readAck(store, failed!.id))?.delivery).toMatchObject({ hook: { status: 'sent' } });

    // A retried batch, or a restarted consumer replaying the stream, runs it all again: nothing is re-sent.
    const again = await handler({ Records: [...inserts, ackInsert] });
    expect(again.batchItemFailures).toEqual([]);
    expect(sink.to('/hook')).toHaveLength(3);
  });

  it('a failing channel is retried with the batch and parked after the budget, like an event', async () => {
    const hook = sinkChannel(sink, 'webhook', 'hook');
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const [failed] = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const deps = testDeps({ maxDeliveryAttempts: 2 });
    // Deliver the alert directly, then break the channel for the ack.
    await deliverEvents(store, [failed!], [hook], deps);
    await acknowledgeEvent(store, failed!.id, ACK);
    sink.on('/hook', () => ({ status: 503, body: 'busy' }));
    const first = await deliverAcks(store, [failed!.id], [hook], deps);
    expect(first[0]).toMatchObject({ retry: true, channels: { hook: { status: 'retrying' } } });
    const second = await deliverAcks(store, [failed!.id], [hook], deps);
    expect(second[0]).toMatchObject({
      retry: false,
      state: 'failed',
      channels: { hook: { status: 'failed' } },
    });
    // Parked: the stream leaves it alone; redeliver mode tries it again.
    sink.on('/hook', () => ({ status: 200, body: 'ok' }));
    expect((await deliverAcks(store, [failed!.id], [hook], deps))[0]?.channels).toEqual({});
    const redone = await deliverAcks(store, [failed!.id], [hook], { ...deps, mode: 'redeliver' });
    expect(redone[0]).toMatchObject({ state: 'delivered', channels: { hook: { status: 'sent' } } });
  });

  it('a recovery names who acknowledged the failure it closes', async () => {
    const hook = sinkChannel(sink, 'webhook', 'hook');
    await world.run(START, { a: { q1: 'ACTIVE', q2: 'ACTIVE' } });
    const [f1, f2] = await world.run(START + MIN, { a: { q1: 'FAILED', q2: 'FAILED' } });
    await acknowledgeEvent(store, f1!.id, ACK);
    const recoveries = await world.run(START + 2 * MIN, { a: { q1: 'ACTIVE', q2: 'ACTIVE' } });
    await deliverEvents(store, recoveries, [hook], testDeps());
    const notes = sink.to('/hook').map((r) => (r.json as { note: string }).note);
    expect(notes).toEqual([
      `Recovers the failure alert ${f1!.id} detected at ${f1!.detectedAt}. Acknowledged by alice at ${ACK.acknowledgedAt}.`,
      `Recovers the failure alert ${f2!.id} detected at ${f2!.detectedAt}.`,
    ]);
  });
});
