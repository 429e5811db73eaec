import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { startWebhookSink, type WebhookSink } from '../../infra/local/webhook-sink.ts';
import { deliverAcks } from '../../lib/notify/ack-deliver.ts';
import { deliverEvents } from '../../lib/notify/deliver.ts';
import { acknowledgeEvent } from '../../lib/store/ack.ts';
import { readAck } from '../../lib/store/ack-outbox.ts';
import { findFailedAcks } from '../../lib/store/ack-redeliver.ts';
import { listEvents } from '../../lib/store/query.ts';
import { runCli } from '../support/cli.ts';
import { type Harness, PROJECT, startHarness } from '../support/harness.ts';
import { sinkChannel, testDeps } from './notify/world.ts';

let h: Harness;
let sink: WebhookSink;
beforeAll(async () => {
  h = await startHarness();
  sink = await startWebhookSink();
});
afterAll(async () => {
  await h.close();
  await sink.close();
});

describe('dli-sync redeliver', () => {
  it('resends one event to every channel, and --failed finds none when all were delivered', async () => {
    const data = makeConnections(3, { seed: 4 });
    for (const c of data)
      for (const q of c.available_queue_info as Record<string, unknown>[])
        Object.assign(q, { status: 'ACTIVE' });
    Object.assign((data[0]!.available_queue_info as Record<string, unknown>[])[0]!, {
      status: 'FAILED',
      err_msg: 'boom',
    });
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    const [event] = (await listEvents(h.store)).items;
    expect(event).toBeDefined();
    const env = {
      ...h.env,
      NOTIFY_ALLOW_PRIVATE_HOSTS: 'true',
      NOTIFY_CHANNELS: JSON.stringify([
        { name: 'hook', type: 'webhook', url: sink.url('/hook'), secret: 's3cr3t-value' },
      ]),
    };
    const res = await runCli(['redeliver', '--event', event!.id, '--json'], env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ events: [{ eventId: event!.id, state: 'delivered' }] });
    expect(sink.to('/hook')).toHaveLength(1);
    expect(sink.to('/hook')[0]!.headers['idempotency-key']).toBe(event!.id);
    expect(res.stdout + res.stderr).not.toContain('s3cr3t-value');

    const none = await runCli(['redeliver', '--failed'], env);
    expect(none).toMatchObject({ code: 0, stdout: expect.stringContaining('no undelivered events') });
  });

  it('--failed also resends parked acknowledgements, once, and they leave the parked list', async () => {
    const data = makeConnections(2, { seed: 11 });
    for (const c of data)
      for (const q of c.available_queue_info as Record<string, unknown>[])
        Object.assign(q, { status: 'FAILED', err_msg: 'boom' });
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    const event = (await listEvents(h.store)).items.find(
      (e) => e.type === 'PEERING_FAILED' && e.connectionId === data[0]!.id,
    );
    // The alert reaches the channel; then its acknowledgement is parked (the channel refuses it).
    const hook = sinkChannel(sink, 'webhook', 'ackhook');
    await deliverEvents(h.store, [event!], [hook], testDeps());
    await acknowledgeEvent(h.store, event!.id, {
      acknowledgedBy: 'alice',
      acknowledgedAt: '2026-11-28T10:05:00.000Z',
      ackNote: null,
    });
    sink.on('/ackhook', () => ({ status: 400, body: 'refused' }));
    const [parked] = await deliverAcks(h.store, [event!.id], [hook], testDeps());
    expect(parked).toMatchObject({ state: 'failed' });
    sinkChannel(sink, 'webhook', 'ackhook');
    const env = {
      ...h.env,
      NOTIFY_ALLOW_PRIVATE_HOSTS: 'true',
      NOTIFY_CHANNELS: JSON.stringify([{ ...hook, secret: 'ackhook-secret' }]),
    };
    const res = await runCli(['redeliver', '--failed', '--json'], env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      events: [],
      acks: [{ eventId: event!.id, state: 'delivered', channels: { ackhook: { status: 'sent' } } }],
    });
    const sent = sink.to('/ackhook').map((r) => String(r.headers['idempotency-key']));
    expect(sent.filter((k) => k.startsWith('ack_'))).toEqual([
      `ack_${event!.id.slice(4)}`,
      `ack_${event!.id.slice(4)}`,
    ]);
    expect(await readAck(h.store, event!.id)).toMatchObject({ delivery: { ackhook: { status: 'sent' } } });

    // Delivered now: off the parked list, so the next --failed run does not report it again.
    expect(await findFailedAcks(h.store, {})).toEqual([]);
  });

  it('is bad usage without exactly one of --event and --failed, or without channels', async () => {
    expect(await runCli(['redeliver'], h.env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('exactly one of --event ID or --failed'),
    });
    expect(await runCli(['redeliver', '--failed'], { ...h.env, NOTIFY_CHANNELS: '[]' })).toMatchObject({
      code: 2,
    });
  });
});
