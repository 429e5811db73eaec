/**
 * Soak (npm run test:soak): silences, acks and reminders under notifier faults (oncall.ts), over
 * the big scenario (several transactions per run), more seeds, a harsher channel and more crashes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../infra/local/webhook-sink.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { runOncall } from './oncall.ts';
import { BIG, SMALL } from './scenario.ts';
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

const seeds = Array.from({ length: Number(process.env.SOAK_RUNS ?? 6) }, (_, i) => 1401 + i * 97);

describe('soak: silences, acks and reminders under notifier faults', () => {
  for (const [i, seed] of seeds.entries()) {
    const n = i % 2 === 0 ? BIG : SMALL;
    it(`seed ${seed}, ${n} connections: lost 0, duplicated 0, no silenced post, one reminder per interval`, async () => {
      const f = await runOncall(h, sink, { seed, n, failRate: 0.45, maxCrashes: 8 });
      expect({
        lost: f.lost,
        duplicated: f.duplicated,
        silencedPosted: f.silencedPosted,
        remindersPerInterval: f.remindersPerInterval,
      }).toEqual({ lost: 0, duplicated: 0, silencedPosted: 0, remindersPerInterval: 0 });
      matrix.add('silences, acks, reminders under webhook 500/429 and notifier crashes (soak)', f);
      process.stdout.write(`oncall soak seed ${seed} n ${n}: ${JSON.stringify(f)}\n`);
    }, 300_000);
  }
});
