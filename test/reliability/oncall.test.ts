/**
 * Issue #14: lost = 0 / duplicated = 0 with silences, acknowledgements and reminders in play
 * (oncall.ts), plus the redeliver path an acknowledgement depends on. Heavier seeds: oncall.soak.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../infra/local/webhook-sink.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { runOncall } from './oncall.ts';
import { SMALL } from './scenario.ts';
import { faultMatrix } from './support.ts';

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
    console.log('oncall figures', JSON.stringify(f));
    matrix.add('silences, acks, reminders under webhook 500/429 and notifier crashes', f);
  }, 60_000);
});
