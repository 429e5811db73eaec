import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.ts';
import {
  channelSource,
  DEFAULT_CONSOLE_URL,
  fillTemplate,
  loadNotifyOptions,
  parseChannels,
  parseConsoleTemplate,
} from '../../../lib/notify/config.ts';

const URL_ = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';
const json = (v: unknown) => JSON.stringify(v);

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseChannels', () => {
  it('parses every channel type with defaults', () => {
    const channels = parseChannels(
      json([
        { name: 'ops', type: 'slack', url: URL_ },
        {
          name: 'cn',
          type: 'dingtalk',
          url: 'https://oapi.dingtalk.com/robot/send?access_token=x',
          secret: 'SEC1',
          events: ['PEERING_FAILED'],
          targets: ['cn-*:*'],
          digestThreshold: 5,
          recovered: false,
        },
        { name: 'hook', type: 'webhook', url: 'https://hooks.example.com/x', secret: 's' },
      ]),
    );
    expect(channels).toEqual([
      { name: 'ops', type: 'slack', url: URL_, recovered: true },
      {
        name: 'cn',
        type: 'dingtalk',
        url: 'https://oapi.dingtalk.com/robot/send?access_token=x',
        secret: 'SEC1',
        events: ['PEERING_FAILED'],
        targets: ['cn-*:*'],
        digestThreshold: 5,
        recovered: false,
      },
      { name: 'hook', type: 'webhook', url: 'https://hooks.example.com/x', secret: 's', recovered: true },
    ]);
  });

  it('treats unset or empty as no channels', () => {
    expect(parseChannels(undefined)).toEqual([]);
    expect(parseChannels('  ')).toEqual([]);
  });

  it.each([
    ['not JSON', '[{"name":', /NOTIFY_CHANNELS is not valid JSON/],
    ['not an array', json({ name: 'x' }), /must be a JSON array/],
    [
      'bad type',
      json([{ name: 'a', type: 'irc', url: URL_ }]),
      /NOTIFY_CHANNELS\[0\] \("a"\): type must be one of slack, teams/,
    ],
    [
      'bad name',
      json([{ name: 'a b', type: 'slack', url: URL_ }]),
      /NOTIFY_CHANNELS\[0\]: name must be 1-64/,
    ],
    ['http url', json([{ name: 'a', type: 'slack', url: 'http://hooks.slack.com/x' }]), /url must use https/],
    ['missing url', json([{ name: 'a', type: 'slack' }]), /url must be a string/],
    [
      'webhook without secret',
      json([{ name: 'a', type: 'webhook', url: URL_ }]),
      /type webhook needs a secret/,
    ],
    [
      'secret on slack',
      json([{ name: 'a', type: 'slack', url: URL_, secret: 'x' }]),
      /secret is used only by feishu, dingtalk, webhook, pagerduty and jsm/,
    ],
    [
      'unknown field',
      json([{ name: 'a', type: 'slack', url: URL_, event: ['PEERING_FAILED'] }]),
      /has an unknown field/,
    ],
    [
      'bad event',
      json([{ name: 'a', type: 'slack', url: URL_, events: ['PEERING_FLAPPED'] }]),
      /events must be a list of/,
    ],
    [
      'bad target',
      json([{ name: 'a', type: 'slack', url: URL_, targets: ['cn-north-4'] }]),
      /targets entries must be region:projectId globs/,
    ],
    [
      'duplicate name',
      json([
        { name: 'a', type: 'slack', url: URL_ },
        { name: 'a', type: 'slack', url: URL_ },
      ]),
      /NOTIFY_CHANNELS\[1\] \("a"\): name is used twice/,
    ],
    [
      'bad digest',
      json([{ name: 'a', type: 'slack', url: URL_, digestThreshold: -1 }]),
      /digestThreshold must be 0/,
    ],
  ])('rejects %s with a message naming the variable and what is expected', (_label, input, message) => {
    expect(errorOf(() => parseChannels(input)).message).toMatch(message);
  });

  it('never echoes a URL or secret, whatever is wrong', () => {
    const secretish = fc.stringMatching(/^[A-Za-z0-9]{12,40}$/);
    fc.assert(
      fc.property(
        secretish,
        secretish,
        fc.constantFrom('slack', 'webhook', 'irc', 7),
        fc.constantFrom('https://', 'http://', 'ftp://', ''),
        (token, secret, type, scheme) => {
          const input = json([
            { name: 'n', type, url: `${scheme}hooks.example.com/${token}`, secret, extra: token },
          ]);
          for (const text of [input, input.slice(0, -3), input.replace('"url"', `"${token}"`)]) {
            try {
              parseChannels(text);
            } catch (err) {
              expect(err).toBeInstanceOf(ConfigError);
              expect((err as Error).message).not.toContain(token);
              expect((err as Error).message).not.toContain(secret);
            }
          }
        },
      ),
    );
  });

  it('names an SSM parameter as the source when asked', () => {
    expect(errorOf(() => parseChannels('{', 'SSM parameter /x')).message).toMatch(
      /^SSM parameter \/x is not valid JSON/,
    );
  });
});

describe('console URL template', () => {
  it('defaults to the enhanced connections page of the region', () => {
    expect(parseConsoleTemplate(undefined)).toBe(DEFAULT_CONSOLE_URL);
  });
  it('URL-encodes every value, so data cannot change the link', () => {
    expect(
      fillTemplate('https://c.example/{region}/{connectionName}?q={queue}', {
        region: 'cn-north-4',
        projectId: 'p',
        connectionId: 'c',
        connectionName: 'a b/&c',
        queue: '?#',
      }),
    ).toBe('https://c.example/cn-north-4/a%20b%2F%26c?q=%3F%23');
  });
  it('rejects unknown placeholders and non-https templates', () => {
    expect(errorOf(() => parseConsoleTemplate('https://x/{tenant}')).message).toMatch(
      /unknown placeholder \{tenant\}/,
    );
    expect(errorOf(() => parseConsoleTemplate('http://x.example/{region}')).message).toMatch(
      /must use https/,
    );
  });
});

describe('loadNotifyOptions', () => {
  it('has defaults', () => {
    const o = loadNotifyOptions({});
    expect(o.flap).toEqual({ threshold: 3, windowMs: 3_600_000 });
    expect(o.digestThreshold).toBe(10);
    expect(o.maxDeliveryAttempts).toBe(3);
    expect(o.retry.timeoutMs).toBe(10_000);
  });
  it('reads overrides; a flap threshold of 0 turns suppression off', () => {
    const o = loadNotifyOptions({
      NOTIFY_FLAP_THRESHOLD: '0',
      NOTIFY_DIGEST_THRESHOLD: '0',
      NOTIFY_MAX_DELIVERY_ATTEMPTS: '5',
      NOTIFY_MAX_RETRY_AFTER_SECONDS: '5',
    });
    expect(o.flap).toBeNull();
    expect(o.digestThreshold).toBe(0);
    expect(o.maxDeliveryAttempts).toBe(5);
    expect(o.retry.maxRetryAfterMs).toBe(5000);
  });
  it('names the variable on a bad value', () => {
    expect(errorOf(() => loadNotifyOptions({ NOTIFY_FLAP_WINDOW_MINUTES: 'soon' })).message).toMatch(
      /^NOTIFY_FLAP_WINDOW_MINUTES is "soon"; expected a whole number/,
    );
  });
});

describe('channelSource', () => {
  it('prefers the SSM parameter', () => {
    expect(channelSource({ NOTIFY_CHANNELS_PARAMETER: '/dli-sync/channels', NOTIFY_CHANNELS: '[]' })).toEqual(
      { parameter: '/dli-sync/channels', json: '[]', allowPrivateHosts: false },
    );
    expect(channelSource({ NOTIFY_CHANNELS: '[]', NOTIFY_ALLOW_PRIVATE_HOSTS: 'true' })).toEqual({
      parameter: null,
      json: '[]',
      allowPrivateHosts: true,
    });
  });
  it('rejects a malformed parameter name', () => {
    expect(errorOf(() => channelSource({ NOTIFY_CHANNELS_PARAMETER: 'a b' })).message).toMatch(
      /NOTIFY_CHANNELS_PARAMETER is not an SSM parameter name/,
    );
  });
});
