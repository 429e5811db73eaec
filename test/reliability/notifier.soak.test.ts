/** Soak (npm run test:soak): hostile names through sync and notifier, many more of them (chat.ts). */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../infra/local/webhook-sink.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { checkHostileChat } from './chat.ts';
import { faultMatrix } from './support.ts';

let h: Harness;
let sink: WebhookSink;
const matrix = faultMatrix(import.meta.filename);
beforeAll(async () => {
  h = await startHarness();
  sink = await startWebhookSink();
});
afterAll(async () => {
  matrix.flush();
  await sink.close();
  await h.close();
});

describe('soak: hostile names in chat payloads', () => {
  for (const seed of [101, 202, 303]) {
    it(`150 hostile names (seed ${seed}) reach no platform as markup`, async () => {
      matrix.add('hostile names in chat payloads (soak)', await checkHostileChat(h, sink, 150, seed));
    }, 600_000);
  }
});
