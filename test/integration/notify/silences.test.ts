/** Silences and reminders through the real outbox: DynamoDB Local, the real diff, a local HTTP sink. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../../infra/local/webhook-sink.ts';
import { deliverEvents, redeliver } from '../../../lib/notify/deliver.ts';
import type { Store } from '../../../lib/store/client.ts';
import { listEvents } from '../../../lib/store/query.ts';
import { expireSilence, putSilence } from '../../../lib/store/silences.ts';
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
