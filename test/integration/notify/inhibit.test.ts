/**
 * Inhibition through the notifier on DynamoDB Local, with a webhook sink: a deleted connection's
 * unsent peering failures become one deletion message; each failure records what stood for it.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../../infra/local/webhook-sink.ts';
import { deliverEvents } from '../../../lib/notify/deliver.ts';
import type { Store } from '../../../lib/store/client.ts';
import { listEvents } from '../../../lib/store/query.ts';
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
const ids = () => sink.to('/hook').map((r) => String(r.headers['idempotency-key']));

describe('inhibition by a connection deletion', () => {
  it("a deletion and its peerings' unsent failures in one batch: one deletion message, failures marked", async () => {
    const hook = sinkChannel(sink, 'webhook', 'hook', { digestThreshold: 0 });
    await world.run(START, { a: { q1: 'ACTIVE', q2: 'ACTIVE', q3: 'ACTIVE' }, b: { q1: 'ACTIVE' } });
    const failures = await world.run(START + MIN, {
      a: { q1: 'FAILED', q2: 'FAILED', q3: 'FAILED' },
      b: { q1: 'FAILED' },
    });
    const [deletion] = await world.run(START + 2 * MIN, { b: { q1: 'FAILED' } }, { mayDelete: true });
    expect(deletion?.type).toBe('CONNECTION_DELETED');
    const report = await deliverEvents(store, [...failures, deletion!], [hook], testDeps());
    const b = failures.find((f) => f.connectionId === 'b')!;
    // b's failure is still news; a's three are told by its deletion.
    expect(ids().sort()).toEqual([b.id, deletion!.id].sort());
    expect(report.events.every((e) => !e.retry && e.state === 'delivered')).toBe(true);
    const listed = new Map((await listEvents(store)).items.map((e) => [e.id, e]));
    for (const f of failures.filter((f) => f.connectionId === 'a')) {
      expect(listed.get(f.id)?.inhibitedBy).toBe(deletion!.id);
      expect(await deliveryOf(f.id)).toMatchObject({ hook: { status: 'suppressed', via: 'inhibited' } });
    }
    expect(listed.get(b.id)?.inhibitedBy).toBeNull();

    // Every failure is sent exactly once or stands inhibited: a second delivery sends nothing more.
    await deliverEvents(store, [...failures, deletion!], [hook], testDeps());
    expect(ids()).toHaveLength(2);
  });

  it('a later batch (the deletion already delivered) inhibits through the store; a connection back is news again', async () => {
    const hook = sinkChannel(sink, 'webhook', 'hook');
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const [failure] = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const [deletion] = await world.run(START + 2 * MIN, {}, { mayDelete: true });
    await deliverEvents(store, [deletion!], [hook], testDeps());
    await deliverEvents(store, [failure!], [hook], testDeps());
    expect(ids()).toEqual([deletion!.id]);
    expect((await listEvents(store)).items.find((e) => e.id === failure!.id)?.inhibitedBy).toBe(deletion!.id);

    const [again] = await world.run(START + 3 * MIN, { a: { q1: 'FAILED' } });
    await deliverEvents(store, [again!], [hook], testDeps());
    expect(ids()).toEqual([deletion!.id, again!.id]);
  });
});
