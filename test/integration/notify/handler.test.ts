/** The Lambda handler path: a DynamoDB Stream batch in, partial batch failures out. */
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../../infra/local/webhook-sink.ts';
import type { ChangeEvent } from '../../../lib/model/schemas.ts';
import { createStreamHandler } from '../../../lib/notify/handler.ts';
import type { Store } from '../../../lib/store/client.ts';
import { eventItem } from '../../../lib/store/items.ts';
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

/** What Lambda hands over after the event source filter (INSERTs of event items). */
const lambdaBatch = (events: ChangeEvent[], firstSeq = 1000) => ({
  Records: events.map((e, i) => ({
    eventID: `ev-${i}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: START / 1000,
      Keys: marshall({ PK: `EVENT#${e.id}`, SK: 'EVENT' }),
      NewImage: marshall(eventItem(e, 400)),
      SequenceNumber: String(firstSeq + i),
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123:table/t/stream/x',
  })),
});

describe('stream handler', () => {
  it('answers only the failed events as batch item failures', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' }, b: { q1: 'ACTIVE' } });
    const events = await world.run(START + MIN, { a: { q1: 'FAILED' }, b: { q1: 'FAILED' } });
    const ops = sinkChannel(sink, 'webhook', 'ops');
    sink.on('/ops', (req) =>
      (req.json as { events: { connectionId: string }[] }).events[0]?.connectionId === 'b'
        ? { status: 500 }
        : { status: 200 },
    );
    const handler = createStreamHandler({ store, channels: [ops], deps: testDeps() });
    const batch = lambdaBatch(events);
    const failedSeq = batch.Records[events.findIndex((e) => e.connectionId === 'b')]?.dynamodb.SequenceNumber;
    expect(await handler(batch)).toEqual({ batchItemFailures: [{ itemIdentifier: failedSeq }] });
    // The retried batch posts only what is still owed.
    sink.requests.length = 0;
    expect(await handler(batch)).toEqual({ batchItemFailures: [{ itemIdentifier: failedSeq }] });
    expect(sink.requests).toHaveLength(2);
  });

  it('ignores records the filter would drop, and bad event images', async () => {
    const handler = createStreamHandler({
      store,
      channels: [sinkChannel(sink, 'slack', 'ops')],
      deps: testDeps(),
    });
    const out = await handler({
      Records: [
        { eventName: 'MODIFY', dynamodb: { SequenceNumber: '1', NewImage: marshall({ entity: 'event' }) } },
        {
          eventName: 'INSERT',
          dynamodb: { SequenceNumber: '2', NewImage: marshall({ entity: 'event', id: 'broken' }) },
        },
      ],
    });
    expect(out).toEqual({ batchItemFailures: [] });
    expect(sink.requests).toHaveLength(0);
  });

  it('reports every record when the store cannot be read', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const events = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const gone: Store = { ...store, tableName: 'no-such-table' };
    const handler = createStreamHandler({
      store: gone,
      channels: [sinkChannel(sink, 'slack', 'ops')],
      deps: testDeps(),
    });
    expect(await handler(lambdaBatch(events, 7))).toEqual({ batchItemFailures: [{ itemIdentifier: '7' }] });
  });

  it('does not start sending inside the deadline margin, and hands the event back uncounted', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const events = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const ops = sinkChannel(sink, 'slack', 'ops');
    const handler = createStreamHandler({ store, channels: [ops], deps: testDeps() });
    // 9 s left is inside the 10 s margin kept for recording and answering.
    const out = await handler(lambdaBatch(events, 9), { getRemainingTimeInMillis: () => 9_000 });
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: '9' }] });
    expect(sink.to('/ops')).toHaveLength(0);
    expect(await handler(lambdaBatch(events, 9), { getRemainingTimeInMillis: () => 60_000 })).toEqual({
      batchItemFailures: [],
    });
    expect(sink.to('/ops')).toHaveLength(1);
  });
});
