/**
 * Issue #14: lost = 0 / duplicated = 0 with silences, acknowledgements and reminders in play
 * (oncall.ts), plus the redeliver path an acknowledgement depends on. Heavier seeds: oncall.soak.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OK, startWebhookSink, type WebhookSink } from '../../infra/local/webhook-sink.ts';
import { acknowledge } from '../../lib/api/ack.ts';
import type { ChangeEvent } from '../../lib/model/schemas.ts';
import { deliverAcks } from '../../lib/notify/ack-deliver.ts';
import { ackMessageKey } from '../../lib/notify/ack-message.ts';
import { deliverEvents, redeliver } from '../../lib/notify/deliver.ts';
import { listEvents } from '../../lib/store/query.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { channel, notifyDeps } from './chat.ts';
import { runOncall } from './oncall.ts';
import { healthy, newCase, type Raw, SMALL, setPeering, step } from './scenario.ts';
import { at, faultMatrix } from './support.ts';

let h: Harness;
let sink: WebhookSink;
const matrix = faultMatrix(import.meta.filename);
beforeAll(async () => {
  h = await startHarness({ stream: true });
  sink = await startWebhookSink();
});
afterAll(async () => {
  matrix.flush();
  await sink.close();
  await h.close();
});

describe('silences, acks and reminders under notifier faults', () => {
  it('every due event and ack reaches each channel that owes it, none twice, no silenced one, one reminder per interval', async () => {
    const f = await runOncall(h, sink, { seed: 14, n: SMALL, failRate: 0.3, maxCrashes: 3 });
    expect(f.held, 'some events silenced').toBeGreaterThan(0);
    expect(f.acks).toBeGreaterThan(0);
    expect(f.reminders).toBeGreaterThan(0);
    expect(f.faults).toBeGreaterThan(0);
    expect({ lost: f.lost, duplicated: f.duplicated, silencedPosted: f.silencedPosted }).toEqual({
      lost: 0,
      duplicated: 0,
      silencedPosted: 0,
    });
    expect(f.remindersPerInterval).toBe(0);
    matrix.add('silences, acks, reminders under webhook 500/429 and notifier crashes', f);
  }, 60_000);
});

describe('an ack of an alert parked on a channel', () => {
  it('reaches that channel once redeliver has sent it the alert', async () => {
    const c = await newCase(h.config);
    const good = channel(sink, 'webhook', `pk-a-${c.projectId}`);
    const down = channel(sink, 'webhook', `pk-b-${c.projectId}`);
    // A permanent refusal parks the alert on this channel at once.
    sink.on(`/${down.name}`, { status: 400, body: 'bad hook' });
    const data = healthy(3, 5);
    setPeering(data[0] as Raw, 'FAILED', 'route conflict');
    await step(h.dli, c, data, at(1));
    const [alert] = (await listEvents(c.store)).items;
    const deps = notifyDeps([]);
    await deliverEvents(c.store, [alert as ChangeEvent], [good, down], deps);
    await acknowledge(c.store, (alert as ChangeEvent).id, { by: 'oncall', now: at(2).toISOString() });
    // What the stream does with the ack: the parked channel never showed the alert, so it is skipped.
    await deliverAcks(c.store, [(alert as ChangeEvent).id], [good, down], deps);
    const ackKey = ackMessageKey((alert as ChangeEvent).id);
    const acks = (path: string) => sink.to(path).filter((r) => r.headers['idempotency-key'] === ackKey);
    expect(acks(`/${good.name}`)).toHaveLength(1);
    expect(acks(`/${down.name}`)).toHaveLength(0);
    // The hook is fixed; the operator redelivers what was parked.
    sink.on(`/${down.name}`, OK.webhook);
    const report = await redeliver(c.store, [good, down], { failed: true }, deps);
    expect(report.events.map((e) => e.state)).toEqual(['delivered']);
    expect(acks(`/${down.name}`)).toHaveLength(1);
    expect(acks(`/${good.name}`)).toHaveLength(1);
  });
});
