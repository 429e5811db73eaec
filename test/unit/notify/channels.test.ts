import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../../../lib/notify/channels/index.ts';
import type { HttpReply } from '../../../lib/notify/channels/types.ts';
import { retryAfterMs, safeReason } from '../../../lib/notify/channels/types.ts';
import { WECOM_CONTENT_MAX } from '../../../lib/notify/channels/wecom.ts';
import { CHANNEL_TYPES, type ChannelType } from '../../../lib/notify/config.ts';
import { digestMessage, eventMessage, flappingMessage } from '../../../lib/notify/message.ts';
import { channel, event, HOSTILE, OPTIONS } from './fixtures.ts';

const NOW = Date.parse('2026-11-28T10:00:05.000Z');
const tpl = { consoleUrlTemplate: OPTIONS.consoleUrlTemplate };
const msg = eventMessage(event(), tpl);
const reply = (status: number, body = '', headers: Record<string, string> = {}): HttpReply => ({
  status,
  body,
  headers,
});
const render = (type: ChannelType, m = msg, over = {}) =>
  DRIVERS[type].render(m, channel({ type, ...over }), NOW);
const body = (type: ChannelType, m = msg, over = {}) =>
  JSON.parse(render(type, m, over).body) as Record<string, unknown>;

/** Markup the hostile strings would form on each platform if they were not escaped. */
const MARKUP: Record<ChannelType, RegExp> = {
  slack: /<https:\/\/evil|<!channel>|<@U123>/,
  teams: /\{\{DATE|<at /,
  feishu: /<at id=all>|"lark_md","content":"[^"]*evil/,
  dingtalk: /\]\(https:\/\/evil|<font color=\\"warning\\">x|(?<!\\)\*bold/,
  wecom: /\]\(https:\/\/evil|<font color=\\"warning\\">x|(?<!\\)\*bold/,
  discord: /\]\(https:\/\/evil|<@U123>|(?<!\\)\*bold/,
  googlechat: /<b>bold|<font color=\\"warning\\">x|<users\/all>/,
  webhook: /$^/,
  // Plain text, but both forward alerts to chat: no tag-shaped mention may survive.
  pagerduty: /<!channel>|<@U123>|<at id=all>|<users\/all>/,
  jsm: /<!channel>|<@U123>|<at id=all>|<users\/all>/,
};
const MASS = /@(all|channel|here|everyone|所有人)|<!channel>|<!here>|<users\/all>|<at id=all>|isAtAll":true/i;

describe('slack', () => {
  it('renders Block Kit with header, facts, error and console link', () => {
    const b = body('slack');
    // Outside code spans `_` is a look-alike (Slack has no escape); inside them names are exact.
    expect(b.text).toBe(
      'Peering failed: orders-db ↔ etlˍqueue: The peering of DLI enhanced connection orders-db with queue etlˍqueue is FAILED.',
    );
    expect(b.blocks).toEqual([
      {
        type: 'header',
        text: { type: 'plain_text', text: 'Peering failed: orders-db ↔ etl_queue', emoji: false },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: ':red_circle: The peering of DLI enhanced connection orders-db with queue etlˍqueue is FAILED.',
          verbatim: true,
        },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Connection*\n`orders-db (c-1)`', verbatim: true },
          { type: 'mrkdwn', text: '*Queue*\n`etl_queue`', verbatim: true },
          { type: 'mrkdwn', text: '*Region*\n`cn-north-4`', verbatim: true },
          { type: 'mrkdwn', text: '*Project*\n`p1`', verbatim: true },
          { type: 'mrkdwn', text: '*Status*\n`ACTIVE → FAILED`', verbatim: true },
          // The fixture's "route table conflict" gets a cause hint (lib/model/hints.ts).
          { type: 'mrkdwn', text: expect.stringMatching(/^\*Likely cause\*\n`/), verbatim: true },
          { type: 'mrkdwn', text: expect.stringMatching(/^\*Next step\*\n`/), verbatim: true },
          { type: 'mrkdwn', text: expect.stringMatching(/^\*DLI FAQ\*\n`https:/), verbatim: true },
          { type: 'mrkdwn', text: '*Detected at*\n`2026-11-28T10:00:00.000Z`', verbatim: true },
          { type: 'mrkdwn', text: '*Event*\n`evt_0000000000000000000000000a`', verbatim: true },
        ],
      },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*DLI error*\n```DLI.0001: route table conflict```', verbatim: true },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '<https://console.huaweicloud.com/dli/?region=cn-north-4#/main/enhancedConnections|Open in Huawei Cloud console>',
          verbatim: true,
        },
      },
    ]);
  });
  it('success is 200 with body ok only', () => {
    expect(DRIVERS.slack.judge(reply(200, 'ok'), NOW)).toEqual({ ok: true });
    expect(DRIVERS.slack.judge(reply(200, 'invalid_payload'), NOW)).toMatchObject({
      ok: false,
      retry: 'never',
      reason: 'HTTP 200: invalid_payload',
    });
    expect(DRIVERS.slack.judge(reply(404, 'no_service'), NOW)).toMatchObject({ ok: false, retry: 'never' });
    expect(DRIVERS.slack.judge(reply(500), NOW)).toMatchObject({ ok: false, retry: 'backoff' });
    expect(DRIVERS.slack.judge(reply(429, '', { 'retry-after': '3' }), NOW)).toEqual({
      ok: false,
      retry: 'after',
      afterMs: 3000,
      reason: 'HTTP 429',
    });
  });
});

describe('teams', () => {
  it('renders an Adaptive Card 1.4 attachment, data in literal text runs', () => {
    const b = body('teams') as {
      type: string;
      attachments: { contentType: string; content: Record<string, unknown> }[];
    };
    expect(b.type).toBe('message');
    expect(b.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = b.attachments[0]?.content as { version: string; body: unknown[]; actions: unknown[] };
    expect(card.version).toBe('1.4');
    expect(card.body[0]).toEqual({
      type: 'RichTextBlock',
      inlines: [
        {
          type: 'TextRun',
          text: 'Peering failed: orders-db ↔ etl_queue',
          weight: 'Bolder',
          size: 'Medium',
          color: 'Attention',
        },
      ],
    });
    expect(card.body).toContainEqual({
      type: 'RichTextBlock',
      inlines: [
        { type: 'TextRun', text: 'Queue: ', weight: 'Bolder' },
        { type: 'TextRun', text: 'etl_queue' },
      ],
    });
    expect(card.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Open in Huawei Cloud console',
        url: 'https://console.huaweicloud.com/dli/?region=cn-north-4#/main/enhancedConnections',
      },
    ]);
  });
  it('any 2xx is success', () => {
    expect(DRIVERS.teams.judge(reply(202), NOW)).toEqual({ ok: true });
    expect(DRIVERS.teams.judge(reply(400, 'bad'), NOW)).toMatchObject({ ok: false, retry: 'never' });
  });
});

describe('feishu', () => {
  it('signs with HMAC-SHA256 keyed by timestamp\\nsecret over an empty message, timestamp in seconds', () => {
    const b = body('feishu', msg, { secret: 'SEC' });
    const expected = createHmac('sha256', `${NOW / 1000}\nSEC`)
      .update(Buffer.alloc(0))
      .digest('base64');
    expect(b).toMatchObject({ timestamp: String(NOW / 1000), sign: expected, msg_type: 'interactive' });
    expect((b.card as { header: unknown }).header).toEqual({
      template: 'red',
      title: { tag: 'plain_text', content: 'Peering failed: orders-db ↔ etl_queue' },
    });
  });
  it('sends no signature fields without a secret', () => {
    expect(body('feishu')).not.toHaveProperty('sign');
  });
  it('success is code 0; 11232 is retried; others are final', () => {
    expect(DRIVERS.feishu.judge(reply(200, '{"code":0,"msg":"success"}'), NOW)).toEqual({ ok: true });
    expect(DRIVERS.feishu.judge(reply(200, '{"StatusCode":0}'), NOW)).toEqual({ ok: true });
    expect(DRIVERS.feishu.judge(reply(200, '{"code":11232,"msg":"frequency limited"}'), NOW)).toMatchObject({
      retry: 'backoff',
      reason: 'code 11232: frequency limited',
    });
    expect(DRIVERS.feishu.judge(reply(200, '{"code":19021,"msg":"sign match fail"}'), NOW)).toMatchObject({
      retry: 'never',
      reason: 'code 19021: sign match fail',
    });
  });
});

describe('dingtalk', () => {
  it('signs into the query: HMAC-SHA256 keyed by the secret over timestamp\\nsecret, ms timestamp, url-encoded', () => {
    const r = render('dingtalk', msg, {
      secret: 'SECabc',
      url: 'https://oapi.dingtalk.com/robot/send?access_token=T',
    });
    const url = new URL(r.url);
    const sign = createHmac('sha256', 'SECabc').update(`${NOW}\nSECabc`).digest('base64');
    expect(url.searchParams.get('access_token')).toBe('T');
    expect(url.searchParams.get('timestamp')).toBe(String(NOW));
    expect(url.searchParams.get('sign')).toBe(sign);
    expect(r.url).toContain(`sign=${encodeURIComponent(sign)}`);
  });
  it('renders markdown with msgUuid = event id and no @all', () => {
    const b = body('dingtalk') as {
      msgtype: string;
      markdown: { title: string; text: string };
      at: unknown;
      msgUuid: string;
    };
    expect(b.msgtype).toBe('markdown');
    expect(b.msgUuid).toBe('evt_0000000000000000000000000a');
    expect(b.at).toEqual({ isAtAll: false, atMobiles: [], atUserIds: [] });
    expect(b.markdown.title).toBe('Peering failed: orders-db ↔ etl\\_queue'.replace('\\', ''));
    expect(b.markdown.text).toContain('**Queue**: etl\\_queue');
    expect(b.markdown.text).toContain('> DLI.0001: route table conflict');
    expect(b.markdown.text).toContain(
      '[Open in Huawei Cloud console](https://console.huaweicloud.com/dli/?region=cn-north-4#/main/enhancedConnections)',
    );
  });
  it('success is errcode 0, which comes with HTTP 200 like the errors', () => {
    expect(DRIVERS.dingtalk.judge(reply(200, '{"errcode":0,"errmsg":"ok"}'), NOW)).toEqual({ ok: true });
    expect(
      DRIVERS.dingtalk.judge(reply(200, '{"errcode":130101,"errmsg":"send too fast"}'), NOW),
    ).toMatchObject({ retry: 'backoff' });
    expect(
      DRIVERS.dingtalk.judge(reply(200, '{"errcode":310000,"errmsg":"sign not match"}'), NOW),
    ).toMatchObject({ retry: 'never' });
    expect(DRIVERS.dingtalk.judge(reply(200, 'not json'), NOW)).toMatchObject({ retry: 'backoff' });
  });
});

describe('wecom', () => {
  it('renders markdown with a coloured heading', () => {
    const b = body('wecom') as { msgtype: string; markdown: { content: string } };
    expect(b.msgtype).toBe('markdown');
    expect(
      b.markdown.content.startsWith(
        '### <font color="warning">🔴 Peering failed: orders-db ↔ etl\\_queue</font>',
      ),
    ).toBe(true);
  });
  it('success is errcode 0; 45009 is retried', () => {
    expect(DRIVERS.wecom.judge(reply(200, '{"errcode":0,"errmsg":"ok"}'), NOW)).toEqual({ ok: true });
    expect(
      DRIVERS.wecom.judge(reply(200, '{"errcode":45009,"errmsg":"api freq out of limit"}'), NOW),
    ).toMatchObject({ retry: 'backoff' });
    expect(
      DRIVERS.wecom.judge(reply(200, '{"errcode":93000,"errmsg":"invalid webhook url"}'), NOW),
    ).toMatchObject({ retry: 'never' });
  });
});

describe('discord', () => {
  it('renders one embed and allows no mentions', () => {
    const b = body('discord') as { embeds: Record<string, unknown>[]; allowed_mentions: unknown };
    expect(b.allowed_mentions).toEqual({ parse: [] });
    expect(b.embeds[0]).toMatchObject({
      title: 'Peering failed: orders-db ↔ etl\\_queue',
      color: 0xd93025,
      url: 'https://console.huaweicloud.com/dli/?region=cn-north-4#/main/enhancedConnections',
      timestamp: '2026-11-28T10:00:00.000Z',
    });
  });
  it('success is 204 or 200; 429 uses the JSON retry_after; 404 is final', () => {
    expect(DRIVERS.discord.judge(reply(204), NOW)).toEqual({ ok: true });
    expect(DRIVERS.discord.judge(reply(200, '{}'), NOW)).toEqual({ ok: true });
    expect(
      DRIVERS.discord.judge(reply(429, '{"retry_after":1.234,"global":false}', { 'retry-after': '2' }), NOW),
    ).toEqual({ ok: false, retry: 'after', afterMs: 1234, reason: 'HTTP 429' });
    expect(DRIVERS.discord.judge(reply(429, 'x', { 'retry-after': '2' }), NOW)).toMatchObject({
      retry: 'after',
      afterMs: 2000,
    });
    expect(DRIVERS.discord.judge(reply(404, '{"message":"Unknown Webhook"}'), NOW)).toMatchObject({
      retry: 'never',
    });
  });
});

describe('google chat', () => {
  it('renders a card with HTML-escaped text and a preview', () => {
    const b = body('googlechat', eventMessage(event({ connectionName: 'a<b>&c' }), tpl)) as {
      text: string;
      cardsV2: { cardId: string; card: { sections: { widgets: Record<string, unknown>[] }[] } }[];
    };
    expect(b.text).toBe('Peering failed: a‹b›&c ↔ etl＿queue');
    expect(b.cardsV2[0]?.cardId).toBe('evt_0000000000000000000000000a');
    expect(b.cardsV2[0]?.card.sections[0]?.widgets).toContainEqual({
      decoratedText: { topLabel: 'Connection', text: 'a&lt;b&gt;&amp;c (c-1)', wrapText: true },
    });
  });
  it('any 2xx is success; 429 without Retry-After backs off', () => {
    expect(DRIVERS.googlechat.judge(reply(200, '{"name":"spaces/x"}'), NOW)).toEqual({ ok: true });
    expect(DRIVERS.googlechat.judge(reply(429), NOW)).toMatchObject({ retry: 'backoff' });
  });
});

describe('generic webhook', () => {
  it('posts the event JSON, signed over timestamp.body, with the event id as idempotency key', () => {
    const r = render('webhook', msg, { secret: 'whsec' });
    expect(r.headers['idempotency-key']).toBe('evt_0000000000000000000000000a');
    expect(r.headers['x-dli-sync-timestamp']).toBe(String(NOW / 1000));
    const expected = createHmac('sha256', 'whsec')
      .update(`${NOW / 1000}.${r.body}`)
      .digest('hex');
    expect(r.headers['x-dli-sync-signature']).toBe(`sha256=${expected}`);
    expect(JSON.parse(r.body)).toEqual({
      schema: 'dli-sync.notification/v1',
      kind: 'event',
      id: 'evt_0000000000000000000000000a',
      sentAt: '2026-11-28T10:00:05.000Z',
      title: 'Peering failed: orders-db ↔ etl_queue',
      summary: 'The peering of DLI enhanced connection orders-db with queue etl_queue is FAILED.',
      note: null,
      link: 'https://console.huaweicloud.com/dli/?region=cn-north-4#/main/enhancedConnections',
      events: [event()],
    });
  });
  it('cuts a huge error and says so', () => {
    const r = render('webhook', eventMessage(event({ error: 'x'.repeat(1_000_000) }), tpl), { secret: 's' });
    const e = (JSON.parse(r.body) as { events: { error: string; errorTruncated: boolean }[] }).events[0];
    expect(e?.error.length).toBe(32_768);
    expect(e?.errorTruncated).toBe(true);
  });
});

describe('every platform', () => {
  const huge = { error: `${'<&>@all `'.repeat(100_000)}${'日本語'.repeat(100_000)}` };
  const hostileEvent = event({
    connectionName: HOSTILE.join(' '),
    queue: HOSTILE[0],
    error: HOSTILE.join('\n'),
  });
  const limits: Record<ChannelType, (body: string) => void> = {
    slack: (b) => {
      const p = JSON.parse(b) as {
        text: string;
        blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
      };
      expect(p.text.length).toBeLessThan(4000);
      expect(p.blocks.length).toBeLessThanOrEqual(50);
      for (const block of p.blocks) {
        if (block.type === 'header') expect(block.text?.text.length).toBeLessThanOrEqual(150);
        else if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
        expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
        for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
      }
    },
    teams: (b) => expect(Buffer.byteLength(b)).toBeLessThanOrEqual(28_000),
    feishu: (b) => expect(Buffer.byteLength(b)).toBeLessThanOrEqual(20_000),
    dingtalk: (b) => expect(Buffer.byteLength(b)).toBeLessThanOrEqual(20_000),
    wecom: (b) =>
      expect(
        Buffer.byteLength((JSON.parse(b) as { markdown: { content: string } }).markdown.content),
      ).toBeLessThanOrEqual(WECOM_CONTENT_MAX),
    discord: (b) => {
      const e = (
        JSON.parse(b) as {
          embeds: {
            title: string;
            description: string;
            fields: { name: string; value: string }[];
            footer: { text: string };
          }[];
        }
      ).embeds[0];
      if (!e) throw new Error('no embed');
      expect(e.title.length).toBeLessThanOrEqual(256);
      expect(e.description.length).toBeLessThanOrEqual(4096);
      expect(e.fields.length).toBeLessThanOrEqual(25);
      for (const f of e.fields) expect(f.value.length).toBeLessThanOrEqual(1024);
      expect(
        e.title.length +
          e.description.length +
          e.footer.text.length +
          e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0),
      ).toBeLessThanOrEqual(6000);
    },
    googlechat: (b) => expect(Buffer.byteLength(b)).toBeLessThanOrEqual(32_000),
    webhook: (b) => expect(Buffer.byteLength(b)).toBeLessThanOrEqual(512_000),
    // Events API v2: dedup_key ≤ 255, summary ≤ 1,024, an event ≤ 512 KB.
    pagerduty: (b) => {
      const p = JSON.parse(b) as { dedup_key: string; payload: { summary: string } };
      expect(p.dedup_key.length).toBeLessThanOrEqual(255);
      expect(p.payload.summary.length).toBeLessThanOrEqual(1024);
      expect(Buffer.byteLength(b)).toBeLessThanOrEqual(512_000);
    },
    // Alert API: message ≤ 130, alias ≤ 512, description ≤ 15,000.
    jsm: (b) => {
      const p = JSON.parse(b) as { message: string; alias: string; description: string };
      expect(p.message.length).toBeLessThanOrEqual(130);
      expect(p.alias.length).toBeLessThanOrEqual(512);
      expect(p.description.length).toBeLessThanOrEqual(15_000);
    },
  };
  const many = Array.from({ length: 500 }, (_, i) =>
    event({
      id: `evt_${String(i).padStart(26, '0')}`,
      connectionName: `conn-${i}-${'名'.repeat(50)}`,
      error: 'e'.repeat(10_000),
    }),
  );

  for (const type of CHANNEL_TYPES) {
    it(`${type}: a 1 MB err_msg, hostile names and a 500-event digest stay within the limits`, () => {
      for (const m of [
        eventMessage(event(huge), tpl),
        eventMessage(hostileEvent, tpl),
        digestMessage(many, { ...tpl, channel: 'x' }),
        flappingMessage(event(huge), { ...tpl, failures: 4, windowMs: 3_600_000 }),
      ]) {
        const r = render(type, m, { secret: 's' });
        limits[type](r.body);
      }
    });
    if (type !== 'webhook') {
      it(`${type}: data can neither mention everyone nor add markup`, () => {
        const r = render(type, eventMessage(hostileEvent, tpl));
        expect(r.body).not.toMatch(MASS);
        expect(r.body).not.toMatch(MARKUP[type]);
      });
    }
  }
});

describe('shared rules', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs(reply(429, '', { 'retry-after': '1.5' }), NOW)).toBe(1500);
    expect(retryAfterMs(reply(429, '', { 'retry-after': new Date(NOW + 4000).toUTCString() }), NOW)).toBe(
      4000,
    );
    expect(retryAfterMs(reply(429, '', { 'retry-after': 'soon' }), NOW)).toBeNull();
  });
  it('keeps URLs and tokens out of reasons', () => {
    expect(
      safeReason('bad url https://hooks.slack.com/services/T/B/XYZ token abcdefghijklmnopqrstuvwxyz0123'),
    ).toBe('bad url <url> token <redacted>');
  });
});
