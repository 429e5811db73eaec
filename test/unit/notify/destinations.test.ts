/** Where chat messages may go (lib/notify/destinations.ts), and the channel list's load-time check. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.ts';
import { loadNotifyOptions, parseChannels } from '../../../lib/notify/config.ts';
import {
  allowPrivateHosts,
  destinationProblem,
  isPublicAddress,
  PLATFORM_HOSTS,
} from '../../../lib/notify/destinations.ts';

const STRICT = { allowPrivateHosts: false };
const LOCAL = { allowPrivateHosts: true };
const problem = (type: Parameters<typeof destinationProblem>[0], url: string, policy = STRICT) =>
  destinationProblem(type, new URL(url), policy);

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '[::1]',
    'fe80::1%eth0',
    'not an address',
  ])('refuses %s', (a) => {
    expect(isPublicAddress(a)).toBe(false);
  });
  it.each(['8.8.8.8', '1.1.1.1', '52.94.236.248', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'accepts %s',
    (a) => {
      expect(isPublicAddress(a)).toBe(true);
    },
  );
});

describe('destinationProblem', () => {
  it('accepts each platform’s documented webhook hosts', () => {
    expect(problem('slack', 'https://hooks.slack.com/services/T/B/X')).toBeNull();
    expect(problem('discord', 'https://discord.com/api/webhooks/1/t')).toBeNull();
    expect(problem('googlechat', 'https://chat.googleapis.com/v1/spaces/S/messages?key=k')).toBeNull();
    expect(problem('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=x')).toBeNull();
    expect(problem('wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k')).toBeNull();
    expect(problem('feishu', 'https://open.feishu.cn/open-apis/bot/v2/hook/u')).toBeNull();
    expect(problem('feishu', 'https://open.larksuite.com/open-apis/bot/v2/hook/u')).toBeNull();
    expect(
      problem('teams', 'https://prod-01.westus.logic.azure.com:443/workflows/w/triggers/manual'),
    ).toBeNull();
    expect(
      problem(
        'teams',
        'https://default0a.1b.environment.api.powerplatform.com:443/powerautomate/automations/x',
      ),
    ).toBeNull();
    expect(problem('webhook', 'https://alerts.example.org/dli')).toBeNull();
  });

  it('refuses another host for a platform, naming the expected hosts, never the URL', () => {
    const p = problem('slack', 'https://hooks.slack.com.evil.example/services/SECRET');
    expect(p).toBe('url host is not a slack webhook host; expected hooks.slack.com, hooks.slack-gov.com');
    expect(problem('teams', 'https://evil.example/logic.azure.com')).toMatch(
      /expected \*\.logic\.azure\.com/,
    );
    expect(problem('teams', 'https://outlook.webhook.office.com/webhookb2/x')).toMatch(
      /not a teams webhook host/,
    );
    expect(problem('discord', 'https://xdiscord.com/api/webhooks/1/t')).toMatch(/not a discord webhook host/);
    for (const [type, hosts] of Object.entries(PLATFORM_HOSTS))
      expect(problem(type as 'slack', 'https://example.com/x'), type).toContain(
        hosts[0]?.replace(/^\./, '*.'),
      );
  });

  it('refuses IP literals, localhost, plain http and other ports for every type, the generic webhook included', () => {
    for (const type of ['webhook', 'slack'] as const) {
      expect(problem(type, 'https://169.254.169.254/latest/meta-data/')).toBe(
        'url must name a host, not an IP address',
      );
      expect(problem(type, 'https://8.8.8.8/x')).toBe('url must name a host, not an IP address');
      expect(problem(type, 'https://[::1]/x')).toBe('url must name a host, not an IP address');
      expect(problem(type, 'https://localhost/x')).toBe('url must not name localhost');
      expect(problem(type, 'https://api.localhost/x')).toBe('url must not name localhost');
      expect(problem(type, 'http://127.0.0.1:9/x')).toMatch(/^url must use https/);
    }
    expect(problem('webhook', 'http://alerts.example.org/x')).toMatch(/^url must use https/);
    expect(problem('webhook', 'https://alerts.example.org:8443/x')).toBe(
      'url must use the default https port (443)',
    );
  });

  it('lets local development post to loopback and private sinks, over http too, when allowed', () => {
    expect(problem('slack', 'http://127.0.0.1:9/slack', LOCAL)).toBeNull();
    expect(problem('webhook', 'http://localhost:9/x', LOCAL)).toBeNull();
    expect(problem('webhook', 'http://[::1]:9/x', LOCAL)).toBeNull();
    // Public hosts keep every other rule.
    expect(problem('slack', 'https://evil.example/x', LOCAL)).toMatch(/not a slack webhook host/);
    expect(problem('webhook', 'http://alerts.example.org/x', LOCAL)).toMatch(/^url must use https/);
  });

  it('reads NOTIFY_ALLOW_PRIVATE_HOSTS as true or false only', () => {
    expect(allowPrivateHosts({})).toBe(false);
    expect(allowPrivateHosts({ NOTIFY_ALLOW_PRIVATE_HOSTS: 'false' })).toBe(false);
    expect(allowPrivateHosts({ NOTIFY_ALLOW_PRIVATE_HOSTS: 'true' })).toBe(true);
    expect(() => allowPrivateHosts({ NOTIFY_ALLOW_PRIVATE_HOSTS: 'yes' })).toThrow(ConfigError);
    expect(loadNotifyOptions({}).allowPrivateHosts).toBe(false);
    expect(loadNotifyOptions({ NOTIFY_ALLOW_PRIVATE_HOSTS: 'true' }).allowPrivateHosts).toBe(true);
  });
});

describe('parseChannels: destinations at load time', () => {
  const list = (url: string, type = 'webhook') =>
    JSON.stringify([
      { name: 'ok', type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' },
      { name: 'bad', type, url, ...(type === 'webhook' ? { secret: 's' } : {}) },
    ]);

  it('refuses a channel aiming at the metadata service, loopback or a foreign host, in one line naming it', () => {
    const cases: [string, string, string][] = [
      [
        'https://169.254.169.254/latest/meta-data/iam/SECRET',
        'webhook',
        'url must name a host, not an IP address',
      ],
      ['http://127.0.0.1:9/SECRET', 'webhook', 'url must use https'],
      ['https://evil.example/services/SECRET', 'slack', 'url host is not a slack webhook host'],
    ];
    for (const [url, type, why] of cases) {
      let err: unknown;
      try {
        parseChannels(list(url, type));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message.startsWith(`NOTIFY_CHANNELS[1] ("bad"): ${why}`), message).toBe(true);
      expect(message).not.toContain('SECRET');
      expect(message).not.toContain('\n');
    }
  });

  it('accepts loopback sinks only with the local-development setting', () => {
    expect(() => parseChannels(list('http://127.0.0.1:9/x'))).toThrow(ConfigError);
    expect(parseChannels(list('http://127.0.0.1:9/x'), 'NOTIFY_CHANNELS', LOCAL)).toHaveLength(2);
  });
});
