/**
 * Hostile names through the whole path: the emulator serves connections whose names, queue names and
 * DLI errors are hostile; the sync stores them and raises events; the notifier renders them for
 * every platform. Each hostile value sits between markers, so whatever a platform wraps around it,
 * the text between the markers is what the data contributed, and must carry no live markup.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import { OK, type WebhookSink } from '../../infra/local/webhook-sink.ts';
import type { ChangeEvent, RunRecord } from '../../lib/model/schemas.ts';
import {
  CHANNEL_TYPES,
  type ChannelConfig,
  type ChannelType,
  DEFAULT_OPTIONS,
} from '../../lib/notify/config.ts';
import { type DeliverDeps, defaultDeps, deliverEvents } from '../../lib/notify/deliver.ts';
import { listEvents } from '../../lib/store/query.ts';
import type { Harness } from '../support/harness.ts';
import { strings } from '../support/secrets-scan.ts';
import { HOSTILE_TOKENS, nastyString } from './arbitraries.ts';
import { healthy, newCase, type Raw, step } from './scenario.ts';
import { at, type Counts } from './support.ts';

/** Real HTTP; the notifier's own waits (pacing, backoff) pass at once on a fake clock. */
export function notifyDeps(logs: Record<string, unknown>[]): DeliverDeps {
  let clock = Date.parse('2026-06-02T00:00:00Z');
  return defaultDeps({
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    random: () => 0.5,
    // Flap suppression deliberately posts nothing for a flapping peering: off, so every event counts.
    options: {
      ...DEFAULT_OPTIONS,
      // The sink is on loopback: local development's setting.
      allowPrivateHosts: true,
      flap: null,
      retry: { ...DEFAULT_OPTIONS.retry, maxAttempts: 2, baseDelayMs: 1 },
    },
    log: (e) => logs.push(e),
  });
}

export function channel(
  sink: WebhookSink,
  type: ChannelType,
  name: string,
  over: Partial<ChannelConfig> = {},
): ChannelConfig {
  sink.on(`/${name}`, OK[type]);
  const secret = ['webhook', 'dingtalk', 'feishu', 'pagerduty', 'jsm'].includes(type)
    ? { secret: `SEC${randomBytes(12).toString('base64url')}` }
    : {};
  return { name, type, url: sink.url(`/${name}`), recovered: true, ...secret, ...over };
}

/**
 * Text between an opening and a closing marker: what the data contributed, whatever the platform
 * wrapped around it. A value cut to fit a limit loses its closing marker; it then ends at the
 * ellipsis the platform put where it cut.
 */
const OPEN = 'QZXopen';
const CLOSE = 'QZXclose';
const segments = (text: string): string[] => {
  const out: string[] = [];
  for (let at = text.indexOf(OPEN); at !== -1; at = text.indexOf(OPEN, at + OPEN.length)) {
    const from = at + OPEN.length;
    const close = text.indexOf(CLOSE, from);
    const next = text.indexOf(OPEN, from);
    const cut = text.indexOf('…', from);
    const ends = [close, next, cut].filter((i) => i !== -1);
    out.push(text.slice(from, ends.length ? Math.min(...ends) : text.length));
  }
  return out;
};
const MENTION = /@(everyone|here|channel|all|所有人)/i;
const TAG = /<[A-Za-z!@#/]/;
const MD_LINK = /(?<!\\)\]\(/;

export async function checkHostileChat(
  h: Harness,
  sink: WebhookSink,
  count: number,
  seed: number,
): Promise<Partial<Counts>> {
  const c = await newCase(h.config);
  const names = fc.sample(
    fc.oneof(
      fc.constantFrom(...HOSTILE_TOKENS),
      nastyString(30),
      fc.array(fc.constantFrom(...HOSTILE_TOKENS), { minLength: 2, maxLength: 4 }).map((a) => a.join(' ')),
    ),
    { numRuns: count, seed },
  );
  const base = healthy(names.length, 31);
  base.forEach((r, i) => {
    const hostile = `${OPEN}${names[i]}${CLOSE}`;
    r.name = hostile;
    const q = (r.available_queue_info as Raw[])[0] as Raw;
    q.name = `${OPEN}${names[(i + 1) % names.length]}${CLOSE}`;
    q.status = 'FAILED';
    q.err_msg = `${OPEN}${names[(i + 2) % names.length]}${CLOSE}`;
  });
  const run = (await step(h.dli, c, base, at(1))).runs[0] as RunRecord;
  expect(run).toMatchObject({ outcome: 'complete', created: names.length, events: names.length });
  const events: ChangeEvent[] = (await listEvents(c.store)).items;
  const channels = CHANNEL_TYPES.map((type) => channel(sink, type, `inj-${type}-${c.projectId}`));
  // One message per event (no digest), so each payload is built from one hostile name.
  const report = await deliverEvents(c.store, events, channels, {
    ...notifyDeps([]),
    options: { ...notifyDeps([]).options, digestThreshold: 0 },
  });
  expect(report.events.every((e) => !e.retry)).toBe(true);
  let checked = 0;
  for (const ch of channels) {
    const posts = sink.to(`/${ch.name}`);
    expect(posts, ch.type).toHaveLength(events.length);
    for (const post of posts) {
      expect(post.json, `${ch.type} sends JSON`).toBeDefined();
      const body = post.json as Record<string, unknown>;
      if (ch.type === 'webhook') {
        // Data for machines: the names exactly as stored (well-formed), nothing escaped away.
        const sent = (body.events as ChangeEvent[])[0] as ChangeEvent;
        const stored = events.find((e) => e.id === sent.id) as ChangeEvent;
        expect(sent).toMatchObject({
          connectionName: stored.connectionName,
          queue: stored.queue,
          error: stored.error,
        });
        continue;
      }
      expect((body.at as { isAtAll?: unknown } | undefined)?.isAtAll ?? false, 'DingTalk @all').toBe(false);
      for (const field of ['mentioned_list', 'mentioned_mobile_list'])
        expect((body.text as Record<string, unknown> | undefined)?.[field] ?? []).toEqual([]);
      for (const { where, text } of strings(body)) {
        for (const seg of segments(text)) {
          checked++;
          expect(seg, `${ch.type} ${where}`).not.toMatch(MENTION);
          // Google Chat's HTML subset: the renderer itself turns a newline of the data into <br>.
          const own = ch.type === 'googlechat' ? seg.replaceAll('<br>', '') : seg;
          expect(own, `${ch.type} ${where}`).not.toMatch(TAG);
          // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is checked.
          expect(seg, `${ch.type} ${where}`).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u0000-\u0008]/);
          // Markdown platforms; DingTalk's markdown.title is the notification preview, shown as text.
          const rendered = !(ch.type === 'dingtalk' && where === '$.markdown.title');
          if (['discord', 'dingtalk', 'wecom'].includes(ch.type) && rendered)
            expect(seg, `${ch.type} ${where}`).not.toMatch(MD_LINK);
          if (ch.type === 'teams') expect(seg, `teams ${where}`).not.toMatch(/\{\{/);
          // No platform may auto-link a URL from the data.
          expect(seg, `${ch.type} ${where}`).not.toMatch(/:\/\//);
          // Discord: every formatting character of the data is backslash-escaped.
          if (ch.type === 'discord') expect(seg, `discord ${where}`).not.toMatch(/(?<!\\)[*_~`|]/);
        }
      }
      if (ch.type === 'slack') checkSlackInert(body);
    }
  }
  expect(checked).toBeGreaterThan(events.length * 7);
  // Payloads are inspected, not counted against a reference: no lost/duplicated figure here.
  return { faults: names.length * 3, runs: 1 };
}

/**
 * Slack mrkdwn has no escape: every mrkdwn object must be `verbatim` (no auto-linking or mention
 * parsing by Slack), and outside our own code spans the data carries no `*_~` or backtick.
 */
function checkSlackInert(body: Record<string, unknown>): void {
  const objects: Record<string, unknown>[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn') objects.push(o);
      Object.values(o).forEach(walk);
    }
  };
  walk(body.blocks);
  expect(objects.length).toBeGreaterThan(0);
  const outsideCode = (t: string) => t.replace(/```[^`]*```|`[^`]*`/g, '');
  for (const o of objects) {
    expect(o.verbatim, 'slack mrkdwn verbatim').toBe(true);
    for (const seg of segments(outsideCode(String(o.text))))
      expect(seg, 'slack mrkdwn outside code').not.toMatch(/[*_~`]/);
  }
  for (const seg of segments(String(body.text))) expect(seg, 'slack fallback text').not.toMatch(/[*_~`]/);
}
