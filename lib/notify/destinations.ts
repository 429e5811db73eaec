/**
 * Where chat messages may go. A webhook URL is configuration that an operator pastes in; a typo, a
 * copied internal URL or a hostile edit of the parameter must not turn the notifier into a way to
 * reach the instance metadata service (169.254.169.254), a VPC-internal service or loopback.
 *
 * - Each platform's URL must name one of its documented webhook hosts (see
 *   /work/shared/reference/chat-webhooks.md; Teams: Power Automate / Logic Apps workflow hosts).
 * - The generic `webhook` may name any host, by name, over https on the default port.
 * - IP literals, `localhost`, and names resolving to private, loopback, link-local, shared,
 *   documentation, multicast or reserved addresses are refused: at load time by the URL, at send
 *   time by the resolved addresses (lib/notify/http.ts), so DNS cannot point a name there later.
 * - NOTIFY_ALLOW_PRIVATE_HOSTS=true lifts that for local development (tests, the demo): loopback
 *   sinks over plain http. Never set it in a deployment.
 *
 * Pure: no DNS here; the send-time check calls `isPublicAddress` on what DNS answered.
 */
import { BlockList, isIP } from 'node:net';
import type { Env } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { ChannelType } from './config.ts';

/** Exact hosts, or `.suffix` for any subdomain of it. */
export const PLATFORM_HOSTS: Record<Exclude<ChannelType, 'webhook'>, readonly string[]> = {
  slack: ['hooks.slack.com', 'hooks.slack-gov.com'],
  discord: ['discord.com', 'discordapp.com', 'ptb.discord.com', 'canary.discord.com'],
  googlechat: ['chat.googleapis.com'],
  dingtalk: ['oapi.dingtalk.com'],
  wecom: ['qyapi.weixin.qq.com'],
  feishu: ['open.feishu.cn', 'open.larksuite.com'],
  // Workflows (Power Automate) URLs: prod-NN.<region>.logic.azure.com and
  // <env>.environment.api.powerplatform.com; the retired Office 365 connectors are not accepted.
  teams: ['.logic.azure.com', '.logic.azure.us', '.environment.api.powerplatform.com'],
  // Events API v2: the global and the EU service region hosts.
  pagerduty: ['events.pagerduty.com', 'events.eu.pagerduty.com'],
  // JSM Ops; the Opsgenie hosts until Opsgenie ends (channels/jsm.ts warns as that date nears and after).
  jsm: ['api.atlassian.com', 'api.opsgenie.com', 'api.eu.opsgenie.com'],
};

const V4_BLOCKED: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, instance metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];
const V6_BLOCKED: readonly [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (may reach any IPv4, private included)
  ['64:ff9b:1::', 48], // local NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds any IPv4)
  ['fc00::', 7], // unique local (fd00:ec2::254 is EC2's metadata address)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
];
const blocked = new BlockList();
for (const [net, prefix] of V4_BLOCKED) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of V6_BLOCKED) blocked.addSubnet(net, prefix, 'ipv6');

/** IPv4-mapped and IPv4-compatible IPv6 (`::ffff:127.0.0.1`, `::ffff:7f00:1`) as their IPv4. */
function embeddedV4(address: string): string | null {
  const m = /^(?:0{0,4}:){0,5}(?:ffff:)?(?:0{0,4}:)?((?:\d{1,3}\.){3}\d{1,3})$/i.exec(
    address.replace(/^::/, ''),
  );
  if (m?.[1]) return m[1];
  const hex = /^::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex?.[1] || !hex[2]) return null;
  const hi = Number.parseInt(hex[1], 16);
  const lo = Number.parseInt(hex[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True for an address the notifier may connect to: a public unicast IPv4 or IPv6 address. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return false;
  if (family === 6) {
    const v4 = embeddedV4(bare.toLowerCase());
    if (v4 !== null) return isIP(v4) === 4 && !blocked.check(v4, 'ipv4');
    return !blocked.check(bare, 'ipv6');
  }
  return !blocked.check(bare, 'ipv4');
}

export interface DestinationPolicy {
  /** NOTIFY_ALLOW_PRIVATE_HOSTS: loopback/private hosts and plain http, for local development only. */
  allowPrivateHosts?: boolean | undefined;
}

/** NOTIFY_ALLOW_PRIVATE_HOSTS: `true` or `false` (default); anything else is a configuration error. */
export function allowPrivateHosts(env: Env): boolean {
  const v = env.NOTIFY_ALLOW_PRIVATE_HOSTS?.trim().toLowerCase();
  if (v === undefined || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw new ConfigError('NOTIFY_ALLOW_PRIVATE_HOSTS must be true or false (true only for local development)');
}

const hostMatches = (host: string, allowed: string): boolean =>
  allowed.startsWith('.') ? host.endsWith(allowed) && host.length > allowed.length : host === allowed;

const isLocalName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');

/**
 * Why `url` may not receive messages of channel `type`, or null. The message never quotes the URL
 * (it is the credential of most platforms).
 */
export function destinationProblem(type: ChannelType, url: URL, policy: DestinationPolicy): string | null {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const literal = isIP(host.replace(/^\[|\]$/g, '')) !== 0;
  const local = literal || isLocalName(host);
  if (policy.allowPrivateHosts === true && local) {
    // Local development: a sink on this machine or a private network, http or https.
    return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'url must use https';
  }
  if (url.protocol !== 'https:')
    return 'url must use https (plain http only with NOTIFY_ALLOW_PRIVATE_HOSTS=true, for local development)';
  if (literal) return 'url must name a host, not an IP address';
  if (isLocalName(host)) return 'url must not name localhost';
  if (url.port !== '' && url.port !== '443') return 'url must use the default https port (443)';
  if (type === 'webhook') return null;
  const allowed = PLATFORM_HOSTS[type];
  if (!allowed.some((a) => hostMatches(host, a)))
    return `url host is not a ${type} webhook host; expected ${allowed.map((a) => (a.startsWith('.') ? `*${a}` : a)).join(', ')}`;
  return null;
}
