/**
 * Promises across the sync and the notifier: each event is posted once while syncs crash, rerun and
 * overlap under a running notifier; the same with silences, acks and reminders in play (oncall.ts); chat payloads built from hostile names cannot inject markup or
 * mentions; webhook URLs and secrets never reach logs or delivery records.
 *
 * The notifier runs its real path: table stream → local poller (the Lambda event source) →
 * createStreamHandler → real HTTP to a local sink.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StreamPoller, startStreamPoller } from '../../infra/local/stream-poller.ts';
import { OK, type SinkRequest, startWebhookSink, type WebhookSink } from '../../infra/local/webhook-sink.ts';
import { acknowledge } from '../../lib/api/ack.ts';
import type { ChangeEvent } from '../../lib/model/schemas.ts';
import { deliverAcks } from '../../lib/notify/ack-deliver.ts';
import { ackMessageKey } from '../../lib/notify/ack-message.ts';
import { deliverEvents, redeliver } from '../../lib/notify/deliver.ts';
import { createStreamHandler } from '../../lib/notify/handler.ts';
import type { Store } from '../../lib/store/client.ts';
import { listEvents } from '../../lib/store/query.ts';
import { injectDdbFaults } from '../support/ddb-faults.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { captureConsole, dumpTable, scanForSecrets, strings } from '../support/secrets-scan.ts';
import { channel, checkHostileChat, notifyDeps } from './chat.ts';
import { runOncall } from './oncall.ts';
import { healthy, newCase, type Raw, SMALL, scenarioSteps, setPeering, step } from './scenario.ts';
import { at, Crash, crashBeforeWrite, expireLease, faultMatrix } from './support.ts';

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

/** The ids of the events each webhook post carries (a digest carries several). */
const postedIds = (posts: SinkRequest[]): string[] =>
  posts.flatMap((p) => ((p.json as { events?: { id: string }[] }).events ?? []).map((e) => e.id));

describe('each event posted once', () => {
  it('while syncs crash, rerun and overlap under a running notifier', async () => {
    const c = await newCase(h.config, undefined, { stream: true });
    const path = `/once-${c.projectId}`;
    const hook = channel(sink, 'webhook', path.slice(1));
    const logs: Record<string, unknown>[] = [];
    // The notifier's client sometimes gets unprocessed keys back from its BatchGetItem.
    const notifierStore: Store = { ...c.store };
    const faults = injectDdbFaults(c.store);
    faults.add({ kind: { type: 'unprocessed' }, ops: ['BatchGetItem'], times: 2 });
    const handler = createStreamHandler({ store: notifierStore, channels: [hook], deps: notifyDeps(logs) });
    const poller: StreamPoller = startStreamPoller({
      store: c.store,
      handler,
      intervalMs: 40,
      log: () => {},
    });
    const steps = scenarioSteps(SMALL);
    let runs = 0;
    try {
      // Step 1, dying after its first transaction; the next schedule skips; the lease runs out; rerun.
      crashBeforeWrite(c.store, 3);
      await expect(step(h.dli, c, steps[0] as Raw[], at(1))).rejects.toBeInstanceOf(Crash);
      c.store.beforeWrite = undefined;
      expect((await c.sync(at(1.5))).runs[0]?.outcome).toBe('skipped');
      await expireLease(c.store, c.target);
      expect((await c.sync(at(2))).ok).toBe(true);
      runs += 3;
      // Step 2 by three syncs at once.
      h.dli.setConnections(c.projectId, steps[1] as Raw[]);
      const together = await Promise.all([c.sync(at(3)), c.sync(at(3)), c.sync(at(3))]);
      // (That two of them skip on the lease is concurrency.test.ts's business; here only the posts count.)
      expect(together.some((r) => r.runs[0]?.outcome === 'complete')).toBe(true);
      runs += 3;
      // Step 3, then a flap of one peering, each run while the notifier is busy with the last.
      await step(h.dli, c, steps[2] as Raw[], at(4));
      const flap = structuredClone(steps[2] as Raw[]);
      setPeering(flap[3] as Raw, 'FAILED', 'flap');
      await step(h.dli, c, flap, at(5));
      await step(h.dli, c, steps[2] as Raw[], at(6));
      runs += 3;
      await poller.drain(20_000);
    } finally {
      await poller.stop();
    }
    const events = (await listEvents(c.store)).items;
    expect(events.length).toBeGreaterThanOrEqual(10);
    const posted = postedIds(sink.to(path));
    // Every stored event reached the chat, and none twice.
    expect(posted.slice().sort()).toEqual(events.map((e) => e.id).sort());
    // Nor did one transition reach it twice under two ids (two runs storing the same change).
    const transitions = sink
      .to(path)
      .flatMap((p) => (p.json as { events: ChangeEvent[] }).events)
      .map((e) => [e.type, e.connectionId, e.resourceKind, e.queue, e.connectionVersion].join('|'));
    expect(transitions.length - new Set(transitions).size, 'the same transition posted twice').toBe(0);
    expect(faults.injected.filter((f) => f.type === 'unprocessed')).toHaveLength(2);
    const table = await dumpTable(c.store);
    const delivered = table
      .filter((i) => i.entity === 'event')
      .map((i) => (i.delivery as Record<string, { status: string }>)?.[hook.name]?.status);
    expect(new Set(delivered)).toEqual(new Set(['sent']));
    matrix.add('sync crashes and overlaps under a running notifier', {
      faults: 1 + 2 + 2,
      runs,
      eventsChecked: events.length,
      lost: events.length - new Set(posted).size,
      duplicated: posted.length - new Set(posted).size + transitions.length - new Set(transitions).size,
    });
  });
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

describe('hostile names in chat payloads', () => {
  it('24 generated hostile names: no tag, mention, link or template call reaches the markup of any platform', async () => {
    const counts = await checkHostileChat(h, sink, 24, 8);
    matrix.add('hostile names in chat payloads (8 platforms)', counts);
  });
});

describe('webhook URLs and secrets', () => {
  it('never reach logs, delivery records or events, even when the platform echoes them in an error', async () => {
    const c = await newCase(h.config, undefined, { stream: true });
    const token = randomBytes(18).toString('base64url'); // the credential part of a Slack-style URL
    const channels = (['slack', 'webhook', 'dingtalk', 'feishu', 'teams'] as const).map((type) => {
      const name = `sec-${type}-${c.projectId}`;
      const ch = channel(sink, type, name, { url: sink.url(`/${name}/${token}`) });
      return ch;
    });
    const secrets: Record<string, string> = { token };
    for (const ch of channels) {
      if (ch.secret) secrets[`${ch.name}.secret`] = ch.secret;
      // Every platform answers with an error quoting the URL and the secret back.
      sink.on(new URL(ch.url).pathname, () => ({
        status: 400,
        body: JSON.stringify({
          code: 19001,
          errcode: 300001,
          msg: `bad hook ${ch.url} ${ch.secret ?? ''}`,
          errmsg: `bad ${ch.url}`,
        }),
      }));
    }
    const data = (await import('./scenario.ts')).healthy(3, 41);
    setPeering(data[0] as Raw, 'FAILED', 'x');
    await step(h.dli, c, data, at(1));
    const events = (await listEvents(c.store)).items;
    const logs: Record<string, unknown>[] = [];
    const captured = captureConsole();
    let report: unknown;
    try {
      report = await deliverEvents(c.store, events, channels, notifyDeps(logs));
    } finally {
      captured.restore();
    }
    expect(sink.requests.filter((r) => r.path.includes(token)).length).toBeGreaterThanOrEqual(
      channels.length,
    );
    const table = await dumpTable(c.store);
    const haystacks = { logs, console: captured.lines, report, table };
    expect(scanForSecrets(secrets, haystacks)).toEqual([]);
    const urls = channels.map((ch) => ch.url);
    expect(strings(haystacks).filter((x) => urls.some((u) => x.text.includes(u)))).toEqual([]);
    matrix.add('webhook URL and secret echoed back by the platform', { faults: channels.length, runs: 1 });
  });
});
