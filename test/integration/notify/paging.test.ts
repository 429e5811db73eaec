/**
 * The paging channels and the per-platform limits through the real notifier: DynamoDB Local, real
 * HTTP to local sinks that check the official payload shapes and keep incident state.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type JsmSink,
  jsmSink,
  type PagerDutySink,
  pagerdutySink,
  perMinuteLimit,
} from '../../../infra/local/paging-sink.ts';
import { OK, startWebhookSink, type WebhookSink } from '../../../infra/local/webhook-sink.ts';
import { alertKey } from '../../../lib/model/alert-key.ts';
import { DRIVERS } from '../../../lib/notify/channels/index.ts';
import type { ChannelConfig } from '../../../lib/notify/config.ts';
import { deliverEvents } from '../../../lib/notify/deliver.ts';
import { eventMessage } from '../../../lib/notify/message.ts';
import { sendMessage } from '../../../lib/notify/send.ts';
import type { Store } from '../../../lib/store/client.ts';
import { keys } from '../../../lib/store/table.ts';
import { createTestStore } from '../../support/store.ts';
import { MIN, START, testDeps, World } from './world.ts';

const PD_KEY = 'R0UTINGKEY0123456789abcdefABCDEF';
const JSM_KEY = '8f0c3c1e-5b7a-4d7e-9a53-0d5f1f7c2b11';

let sink: WebhookSink;
let store: Store;
let world: World;
let pd: PagerDutySink;
let ops: JsmSink;
let channels: ChannelConfig[];
beforeAll(async () => {
  sink = await startWebhookSink();
});
afterAll(() => sink.close());
beforeEach(async () => {
  store = await createTestStore();
  world = new World(store);
  sink.requests.length = 0;
  pd = pagerdutySink({ routingKey: PD_KEY });
  ops = jsmSink({ apiKey: JSM_KEY });
  sink.on('/pd/v2/enqueue', pd.responder);
  sink.on('/jsm/ops/integration/v2/alerts', ops.responder);
  channels = [
    { name: 'pd', type: 'pagerduty', url: sink.url('/pd/v2/enqueue'), secret: PD_KEY, recovered: true },
    {
      name: 'ops',
      type: 'jsm',
      url: sink.url('/jsm/ops/integration/v2/alerts'),
      secret: JSM_KEY,
      recovered: true,
      responders: [{ type: 'team', name: 'dli-oncall' }],
    },
  ];
});

const jsmAliasOf = (key: string) => key.replaceAll('/', ':');

describe('pagerduty and jsm through the notifier', () => {
  it('a failure opens one incident/alert and its recovery resolves/closes that same one', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const [failed] = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const deps = testDeps();
    await deliverEvents(store, failed ? [failed] : [], channels, deps);
    // A redelivered batch (a Lambda retry) sends nothing again.
    await deliverEvents(store, failed ? [failed] : [], channels, deps);
    const [recovered] = await world.run(START + 2 * MIN, { a: { q1: 'ACTIVE' } });
    const report = await deliverEvents(store, recovered ? [recovered] : [], channels, deps);
    expect(report.events[0]?.channels).toEqual({ pd: { status: 'sent' }, ops: { status: 'sent' } });

    const key = alertKey(failed ?? recovered!);
    expect(alertKey(recovered!)).toBe(key);
    expect(pd.rejected).toEqual([]);
    expect([...pd.incidents.keys()]).toEqual([key]);
    expect(pd.incidents.get(key)).toMatchObject({
      status: 'resolved',
      opened: 1,
      actions: ['trigger', 'resolve'],
      severity: 'error',
    });
    expect(ops.rejected).toEqual([]);
    expect([...ops.alerts.keys()]).toEqual([jsmAliasOf(key)]);
    expect(ops.alerts.get(jsmAliasOf(key))).toMatchObject({
      status: 'closed',
      opened: 1,
      count: 1,
      actions: ['create', 'close'],
      priority: 'P2',
    });
  });

  it('an acknowledge message (dli-sync ack) acknowledges the open incident and alert', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const [failed] = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    if (!failed) throw new Error('no event');
    const deps = testDeps();
    await deliverEvents(store, [failed], channels, deps);
    const ack = {
      ...eventMessage(failed, { consoleUrlTemplate: deps.options.consoleUrlTemplate }),
      key: `ack_${failed.id}`,
      action: 'acknowledge' as const,
      title: 'Acknowledged by alice',
    };
    for (const c of channels) {
      expect(await sendMessage(DRIVERS[c.type], c, ack, deps.options.retry, deps)).toEqual({
        ok: true,
        attempts: 1,
      });
    }
    const key = alertKey(failed);
    expect(pd.incidents.get(key)).toMatchObject({
      status: 'acknowledged',
      actions: ['trigger', 'acknowledge'],
    });
    expect(ops.alerts.get(jsmAliasOf(key))).toMatchObject({
      status: 'acked',
      actions: ['create', 'acknowledge'],
    });
  });

  it('a 429 is waited out (Retry-After, or backoff without it) and the event is still sent once', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const events = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    pd.throttle(1);
    ops.throttle(1, 1);
    const deps = testDeps();
    const report = await deliverEvents(store, events, channels, deps);
    expect(report.events[0]?.channels).toEqual({ pd: { status: 'sent' }, ops: { status: 'sent' } });
    expect([pd.throttled, ops.throttled]).toEqual([1, 1]);
    expect(pd.incidents.get(alertKey(events[0]!))?.actions).toEqual(['trigger']);
    expect(ops.alerts.get(jsmAliasOf(alertKey(events[0]!)))?.count).toBe(1);
  });

  it('a refused event is parked with a reason that carries neither key, nor do the logs', async () => {
    await world.run(START, { a: { q1: 'ACTIVE' } });
    const events = await world.run(START + MIN, { a: { q1: 'FAILED' } });
    const wrong = channels.map((c) => ({ ...c, secret: `${c.secret}-old` }));
    const deps = testDeps();
    const report = await deliverEvents(store, events, wrong, deps);
    expect(report.events[0]?.channels).toEqual({
      pd: { status: 'failed', reason: 'HTTP 400: Invalid routing key' },
      ops: { status: 'failed', reason: 'HTTP 401: Could not authenticate' },
    });
    const item = await store.doc.send(
      new GetCommand({
        TableName: store.tableName,
        Key: { PK: keys.eventPk(events[0]!.id), SK: keys.eventSk() },
      }),
    );
    const seen = JSON.stringify([item.Item, deps.logs, report]);
    for (const secret of [PD_KEY, JSM_KEY]) expect(seen).not.toContain(secret);
  });
});

describe('per-platform rate limits', () => {
  it('a storm for a DingTalk robot becomes digests before DingTalk throttles (20/min enforced)', async () => {
    const queues = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`q${i}`, 'ACTIVE']));
    await world.run(START, { a: queues });
    const failing = Object.fromEntries(Object.keys(queues).map((q) => [q, 'FAILED']));
    const events = await world.run(START + MIN, { a: failing });
    expect(events).toHaveLength(20);
    const deps = testDeps();
    const robot = perMinuteLimit({
      limit: 20,
      now: deps.now,
      ok: OK.dingtalk,
      limited: { status: 200, body: JSON.stringify({ errcode: 130101, errmsg: 'send too fast' }) },
    });
    sink.on('/cn', robot);
    // The digest threshold is out of the way: the platform's limit is what decides.
    const cn: ChannelConfig = {
      name: 'cn',
      type: 'dingtalk',
      url: sink.url('/cn'),
      recovered: true,
      digestThreshold: 100,
    };
    // Two stream batches of 10, each invocation with 25 s left before its deadline: the bucket
    // (2 + 18/min) could send 9 of them in time, so each batch goes as one digest.
    for (let i = 0; i < 20; i += 10) {
      const report = await deliverEvents(store, events.slice(i, i + 10), [cn], {
        ...deps,
        deadline: deps.now() + 25_000,
      });
      expect(report.events.filter((e) => e.retry)).toEqual([]);
      await deps.sleep(5_000);
    }
    expect(robot.throttled).toBe(0);
    expect(robot.accepted).toBe(2);
    const bodies = sink.to('/cn').map((r) => r.json as { markdown: { title: string } });
    expect(bodies.map((b) => b.markdown.title)).toEqual(Array(2).fill('10 DLI connection events'));
  });

  it('a storm for a paging channel is paced, one trigger per alert, never a digest', async () => {
    const queues = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`q${i}`, 'ACTIVE']));
    await world.run(START, { a: queues });
    const events = await world.run(START + MIN, {
      a: Object.fromEntries(Object.keys(queues).map((q) => [q, 'FAILED'])),
    });
    // Not an outage (outage.test.ts has that): this one is about pacing one alert per peering.
    const deps = testDeps({ outage: { minPeerings: 0, share: 0.8 } });
    const [pdChannel] = channels;
    const report = await deliverEvents(store, events, pdChannel ? [pdChannel] : [], {
      ...deps,
      deadline: deps.now() + 25_000,
    });
    expect(report.messages).toBe(12);
    expect(pd.throttled).toBe(0);
    expect(pd.incidents.size).toBe(12);
    expect(new Set(events.map(alertKey))).toEqual(new Set(pd.incidents.keys()));
  });
});
