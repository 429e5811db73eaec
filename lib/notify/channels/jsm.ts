/**
 * Jira Service Management Ops (Opsgenie's successor), the integration alert API:
 *   create       POST {url}                                         {message, alias, description, …}
 *   acknowledge  POST {url}/{alias}/acknowledge?identifierType=alias {source, note}
 *   close        POST {url}/{alias}/close?identifierType=alias       {source, note}
 * with `Authorization: GenieKey <key>`, the key being the channel's `secret` (a credential: never
 * in a log, an error or a delivery record). `url` is https://api.atlassian.com/jsm/ops/integration/v2/alerts,
 * or Opsgenie's https://api.opsgenie.com/v2/alerts (EU api.eu.opsgenie.com) until Opsgenie ends.
 * The alias is the alert key, so a failure's create, an acknowledgement and the recovery's close
 * name one alert, and a redelivered create only raises its count. Success is 202 (processed
 * asynchronously). A paging channel never digests; the pace stays under the alert API's limit.
 */
import type { Message } from '../message.ts';
import { actionOf, boundedKey, factMap, plainLine, plainText } from './paging.ts';
import { type ChannelDriver, JSON_HEADERS, jsonBody, judgeStatus, safeReason } from './types.ts';

const ALIAS_MAX = 512;
const MESSAGE_MAX = 130;
const DESCRIPTION_MAX = 15_000;
const DETAIL_MAX = 1000;
const NOTE_MAX = 25_000;

type Priority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';

/** Atlassian ends Opsgenie on this day; its hosts stop answering. */
export const OPSGENIE_END = Date.parse('2027-04-05T00:00:00.000Z');
const OPSGENIE_HOSTS = new Set(['api.opsgenie.com', 'api.eu.opsgenie.com']);

/**
 * A line to log at start-up for a jsm channel on a legacy Opsgenie host, or null. A warning, not a
 * configuration error: a config that was valid yesterday must not stop every other channel at
 * midnight; after the end its sends fail, are parked, and `redeliver --failed` sends them once the
 * url is moved. Names the channel and the host (not a secret: the key is in a header).
 */
export function legacyHostWarning(
  channel: { name: string; type: string; url: string },
  now: number,
): string | null {
  if (channel.type !== 'jsm') return null;
  const host = new URL(channel.url).hostname.toLowerCase();
  if (!OPSGENIE_HOSTS.has(host)) return null;
  const move = 'set its url to https://api.atlassian.com/jsm/ops/integration/v2/alerts';
  return now >= OPSGENIE_END
    ? `channel ${channel.name}: ${host} is Opsgenie, which Atlassian ended on 2027-04-05; its alerts will fail until you ${move}`
    : `channel ${channel.name}: ${host} is Opsgenie, which Atlassian ends on 2027-04-05; ${move}`;
}

/** Deleted connection P1, failed or flapping peering P2, held deletions P3, anything else P4. */
export function defaultPriority(m: Message): Priority {
  if (m.events.some((e) => e.type === 'DELETIONS_HELD')) return 'P3';
  if (m.tone === 'deletion') return 'P1';
  if (m.tone === 'failure' || m.tone === 'flapping') return 'P2';
  return 'P4';
}

/**
 * The alias as it goes in a path: `/` would need %2F, which gateways commonly refuse, so the alert
 * key's separators become `:` (queue names, ids and regions carry neither).
 */
export const jsmAlias = (m: Message): string => boundedKey(m, ALIAS_MAX).replaceAll('/', ':');

/** Summary and link first (a huge err_msg is what gets cut), each data part made plain text. */
function description(m: Message): string {
  const head = [
    plainText(m.summary, 2000),
    m.link ? `${m.link.label}: ${m.link.url}` : '',
    m.facts.map((f) => `${f.label}: ${plainLine(f.value, 500)}`).join('\n'),
    m.note ? plainText(m.note, 2000) : '',
  ]
    .filter((p) => p !== '')
    .join('\n\n');
  if (m.error === null) return head;
  const room = DESCRIPTION_MAX - head.length - '\n\nDLI error:\n'.length;
  return `${head}\n\nDLI error:\n${plainText(m.error, Math.max(0, room))}`;
}

export function jsmCreate(
  m: Message,
  opts: { priority?: Priority | undefined; responders?: { type: string; name: string }[] | undefined },
) {
  const e = m.events[0];
  return {
    message: plainLine(m.title, MESSAGE_MAX),
    alias: jsmAlias(m),
    description: description(m),
    tags: ['dli-sync', ...(e ? [e.type, e.region] : [])],
    details: factMap(m, DETAIL_MAX),
    ...(e?.connectionId ? { entity: plainLine(e.connectionName ?? e.connectionId, 512) } : {}),
    source: 'dli-sync',
    priority: opts.priority ?? defaultPriority(m),
    ...(opts.responders ? { responders: opts.responders } : {}),
  };
}

export const jsm: ChannelDriver = {
  type: 'jsm',
  paging: true,
  // The alert API is token-bucket limited per integration, by plan (docs.opsgenie.com "Rate
  // Limiting"); the smallest published figure seen is 60/min: 5 + 50 stays under it.
  pace: { perMinute: 50, burst: 5 },
  render(m, channel) {
    const headers = { ...JSON_HEADERS, authorization: `GenieKey ${channel.secret ?? ''}` };
    const action = actionOf(m);
    if (action === 'trigger') {
      return {
        url: channel.url,
        headers,
        body: JSON.stringify(jsmCreate(m, { priority: channel.priority, responders: channel.responders })),
      };
    }
    const verb = action === 'resolve' ? 'close' : 'acknowledge';
    const base = channel.url.replace(/\/+$/, '');
    return {
      url: `${base}/${encodeURIComponent(jsmAlias(m))}/${verb}?identifierType=alias`,
      headers,
      body: JSON.stringify({ source: 'dli-sync', note: plainLine(`${m.title}: ${m.summary}`, NOTE_MAX) }),
    };
  },
  judge(reply, now) {
    const byStatus = judgeStatus(reply, now);
    if (byStatus === null) return { ok: true };
    if (byStatus.ok) return byStatus;
    const detail = safeReason(jsonBody(reply)?.message);
    return { ...byStatus, reason: detail ? `${byStatus.reason}: ${detail}` : byStatus.reason };
  },
};
