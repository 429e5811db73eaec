/**
 * Each platform against a real local HTTP server: exact payload and headers as received, signatures
 * recomputed here with the reference algorithms, and the platforms' failure answers.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OK,
  type SinkReply,
  type SinkRequest,
  sequence,
  startWebhookSink,
  type WebhookSink,
} from '../../../infra/local/webhook-sink.ts';
import { DRIVERS } from '../../../lib/notify/channels/index.ts';
import { type ChannelConfig, type ChannelType, DEFAULT_RETRY } from '../../../lib/notify/config.ts';
import { createPost } from '../../../lib/notify/http.ts';
import { eventMessage } from '../../../lib/notify/message.ts';
import { type SendDeps, sendMessage } from '../../../lib/notify/send.ts';
import { event, OPTIONS } from '../../unit/notify/fixtures.ts';

let sink: WebhookSink;
beforeAll(async () => {
  sink = await startWebhookSink();
});
afterAll(() => sink.close());

const message = eventMessage(event({ error: 'x'.repeat(1_000_000) }), {
  consoleUrlTemplate: OPTIONS.consoleUrlTemplate,
});
const START = Date.parse('2026-11-28T10:00:00.000Z');

/** Real HTTP; a fake clock whose sleeps are recorded and pass at once. */
function deps(): SendDeps & { waits: number[] } {
  let clock = START;
  const waits: number[] = [];
  return {
    // The sink is on loopback: local development's setting (NOTIFY_ALLOW_PRIVATE_HOSTS=true).
    post: createPost({ allowPrivateHosts: true }),
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    buckets: new Map(),
    waits,
  };
}

let n = 0;
function channelFor(
  type: ChannelType,
  reply: SinkReply | ReturnType<typeof sequence>,
  over: Partial<ChannelConfig> = {},
) {
  const path = `/${type}/${n++}`;
  sink.on(path, reply);
  const query = type === 'dingtalk' ? '?access_token=TOKEN' : type === 'googlechat' ? '?key=K&token=T' : '';
  return {
    channel: { name: `c${n}`, type, url: sink.url(path) + query, recovered: true, ...over } as ChannelConfig,
    path,
  };
}

const policy = { ...DEFAULT_RETRY, timeoutMs: 5000 };

function first(path: string): SinkRequest {
  const req = sink.to(path)[0];
  if (!req) throw new Error(`nothing posted to ${path}`);
  return req;
}

describe('success, as each platform receives it', () => {
  it('slack: JSON blocks, 200 ok', async () => {
    const { channel, path } = channelFor('slack', OK.slack);
    const d = deps();
    expect(await sendMessage(DRIVERS.slack, channel, message, policy, d)).toEqual({ ok: true, attempts: 1 });
    const req = first(path);
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = req.json as { text: string; blocks: unknown[] };
    expect(body.blocks).toHaveLength(5);
    expect(Buffer.byteLength(req.body)).toBeLessThan(40_000);
  });

  it('feishu: timestamp and sign in the body, verified with the reference algorithm', async () => {
    const { channel, path } = channelFor('feishu', OK.feishu, { secret: 'fs-secret' });
    await sendMessage(DRIVERS.feishu, channel, message, policy, deps());
    const body = sink.to(path)[0]?.json as { timestamp: string; sign: string; msg_type: string };
    expect(body.timestamp).toBe(String(START / 1000));
    expect(body.sign).toBe(createHmac('sha256', `${body.timestamp}\nfs-secret`).update('').digest('base64'));
    expect(body.msg_type).toBe('interactive');
    expect(Buffer.byteLength(first(path).body)).toBeLessThanOrEqual(20_000);
  });

  it('dingtalk: timestamp and sign as query parameters, msgUuid in the body', async () => {
    const { channel, path } = channelFor('dingtalk', OK.dingtalk, { secret: 'SECxyz' });
    await sendMessage(DRIVERS.dingtalk, channel, message, policy, deps());
    const req = first(path);
    expect(req.query.get('access_token')).toBe('TOKEN');
    expect(req.query.get('timestamp')).toBe(String(START));
    expect(req.query.get('sign')).toBe(
      createHmac('sha256', 'SECxyz').update(`${START}\nSECxyz`).digest('base64'),
    );
    expect((req.json as { msgUuid: string }).msgUuid).toBe(message.key);
  });

  it('webhook: signature header over timestamp.body, idempotency key', async () => {
    const { channel, path } = channelFor('webhook', OK.webhook, { secret: 'wh-secret' });
    await sendMessage(DRIVERS.webhook, channel, message, policy, deps());
    const req = first(path);
    const ts = String(req.headers['x-dli-sync-timestamp']);
    expect(ts).toBe(String(START / 1000));
    expect(req.headers['x-dli-sync-signature']).toBe(
      `sha256=${createHmac('sha256', 'wh-secret').update(`${ts}.${req.body}`).digest('hex')}`,
    );
    expect(req.headers['idempotency-key']).toBe(message.key);
    expect((req.json as { events: { id: string }[] }).events[0]?.id).toBe(message.key);
  });

  it.each(['teams', 'wecom', 'discord', 'googlechat'] as const)('%s: accepted', async (type) => {
    const { channel, path } = channelFor(type, OK[type]);
    expect(await sendMessage(DRIVERS[type], channel, message, policy, deps())).toEqual({
      ok: true,
      attempts: 1,
    });
    expect(sink.to(path)).toHaveLength(1);
  });
});

describe('failures', () => {
  it('200 with an error code is a failure, not retried when final', async () => {
    for (const [type, body] of [
      ['slack', 'invalid_payload'],
      [
        'feishu',
        '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}',
      ],
      ['dingtalk', '{"errcode":310000,"errmsg":"sign not match"}'],
      ['wecom', '{"errcode":93000,"errmsg":"invalid webhook url"}'],
    ] as const) {
      const { channel, path } = channelFor(type, { status: 200, body });
      const result = await sendMessage(DRIVERS[type], channel, message, policy, deps());
      expect(result).toMatchObject({ ok: false, permanent: true, attempts: 1 });
      expect(sink.to(path)).toHaveLength(1);
    }
  });

  it('429 with Retry-After is waited out, then sent', async () => {
    const { channel, path } = channelFor(
      'slack',
      sequence({ status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' }, OK.slack),
    );
    const d = deps();
    expect(await sendMessage(DRIVERS.slack, channel, message, policy, d)).toEqual({ ok: true, attempts: 2 });
    expect(d.waits).toContain(2000);
    expect(sink.to(path)).toHaveLength(2);
  });

  it('discord 429 uses the JSON retry_after', async () => {
    const { channel } = channelFor(
      'discord',
      sequence(
        {
          status: 429,
          headers: { 'retry-after': '1', 'content-type': 'application/json' },
          body: '{"retry_after":0.75,"global":false}',
        },
        OK.discord,
      ),
    );
    const d = deps();
    expect(await sendMessage(DRIVERS.discord, channel, message, policy, d)).toEqual({
      ok: true,
      attempts: 2,
    });
    expect(d.waits).toContain(750);
  });

  it('a Retry-After beyond the bound is not waited for', async () => {
    const { channel, path } = channelFor('teams', { status: 429, headers: { 'retry-after': '3600' } });
    const d = deps();
    expect(await sendMessage(DRIVERS.teams, channel, message, policy, d)).toMatchObject({
      ok: false,
      permanent: false,
      reason: 'HTTP 429',
    });
    expect(d.waits.filter((w) => w >= 3_600_000)).toEqual([]);
    expect(sink.to(path)).toHaveLength(1);
  });

  it('5xx is retried with backoff, then succeeds', async () => {
    const { channel, path } = channelFor(
      'googlechat',
      sequence({ status: 503 }, { status: 502 }, OK.googlechat),
    );
    const d = deps();
    expect(await sendMessage(DRIVERS.googlechat, channel, message, policy, d)).toEqual({
      ok: true,
      attempts: 3,
    });
    expect(d.waits).toEqual([250, 500]);
    expect(sink.to(path)).toHaveLength(3);
  });

  it('transient platform codes are retried (feishu 11232), and give up after maxAttempts', async () => {
    const { channel, path } = channelFor('feishu', {
      status: 200,
      body: '{"code":11232,"msg":"frequency limited"}',
    });
    const result = await sendMessage(DRIVERS.feishu, channel, message, policy, deps());
    expect(result).toMatchObject({
      ok: false,
      permanent: false,
      attempts: 4,
      reason: 'code 11232: frequency limited',
    });
    expect(sink.to(path)).toHaveLength(4);
  });

  it('a network error says so without the URL', async () => {
    const channel: ChannelConfig = {
      name: 'dead',
      type: 'wecom',
      url: 'http://127.0.0.1:1/cgi-bin/webhook/send?key=SECRET-KEY',
      recovered: true,
    };
    const result = await sendMessage(DRIVERS.wecom, channel, message, { ...policy, maxAttempts: 2 }, deps());
    expect(result).toMatchObject({ ok: false, permanent: false, attempts: 2 });
    if (result.ok) throw new Error('unexpected');
    expect(result.reason).toMatch(/^network error \(/);
    expect(result.reason).not.toContain('SECRET-KEY');
    expect(result.reason).not.toContain('127.0.0.1');
  });
});

describe('pacing', () => {
  it('spaces sends to one channel after the burst (DingTalk: 2 at once, then one per 3.3 s)', async () => {
    const { channel, path } = channelFor('dingtalk', OK.dingtalk);
    const d = deps();
    for (let i = 0; i < 4; i++) await sendMessage(DRIVERS.dingtalk, channel, message, policy, d);
    expect(sink.to(path)).toHaveLength(4);
    expect(d.waits).toEqual([3334, 3334]);
  });
  it('does not start a wait past the deadline', async () => {
    const { channel, path } = channelFor('wecom', OK.wecom);
    const d = { ...deps(), deadline: START + 1000 };
    await sendMessage(DRIVERS.wecom, channel, message, policy, d);
    await sendMessage(DRIVERS.wecom, channel, message, policy, d);
    expect(await sendMessage(DRIVERS.wecom, channel, message, policy, d)).toMatchObject({
      ok: false,
      deferred: true,
      attempts: 0,
    });
    expect(sink.to(path)).toHaveLength(2);
  });
});
