/**
 * PagerDuty Events API v2: POST {routing_key, event_action, dedup_key, payload, links} to
 * https://events.pagerduty.com/v2/enqueue (EU: events.eu.pagerduty.com). The routing key is the
 * channel's `secret` (a credential: never in a log, an error or a delivery record). `dedup_key` is
 * the alert key (lib/model/alert-key.ts), so a failure's trigger, an acknowledgement and the
 * recovery's resolve all name one incident, and a redelivered trigger adds to it instead of opening
 * a second. Success is 202 (accepted, processed asynchronously); 400 is an invalid event (a retry
 * cannot fix it); 429 and 5xx are retried with backoff. Events API v2 takes 120 events a minute per
 * integration key: the pace stays under it, and a paging channel never digests (each alert is its
 * own incident), it waits for its turn instead.
 */
import type { Message } from '../message.ts';
import { actionOf, boundedKey, factMap, plainLine } from './paging.ts';
import { type ChannelDriver, JSON_HEADERS, jsonBody, judgeStatus, safeReason } from './types.ts';

const DEDUP_MAX = 255;
const SUMMARY_MAX = 1024;
const DETAIL_MAX = 4000;

type Severity = 'critical' | 'error' | 'warning' | 'info';

/**
 * By default a deleted connection is `critical` (every queue of it has lost the data source), a
 * failed or flapping peering `error` (one queue has), held mass deletions `warning` (nothing was
 * deleted yet: a person must decide), anything else `info`.
 */
export function defaultSeverity(m: Message): Severity {
  if (m.events.some((e) => e.type === 'DELETIONS_HELD')) return 'warning';
  if (m.tone === 'deletion') return 'critical';
  if (m.tone === 'failure' || m.tone === 'flapping') return 'error';
  return 'info';
}

export function pagerdutyPayload(m: Message, routingKey: string, severity: Severity | undefined) {
  const action = actionOf(m);
  const base = { routing_key: routingKey, event_action: action, dedup_key: boundedKey(m, DEDUP_MAX) };
  // acknowledge and resolve need only the key; PagerDuty ignores a payload on them.
  if (action !== 'trigger') return base;
  const e = m.events[0];
  return {
    ...base,
    payload: {
      summary: plainLine(`${m.title}: ${m.summary}`, SUMMARY_MAX),
      source: e ? `dli ${e.region}/${e.projectId}` : 'dli-sync',
      severity: severity ?? defaultSeverity(m),
      timestamp: m.at,
      ...(e?.connectionId ? { component: plainLine(e.connectionName ?? e.connectionId, 255) } : {}),
      ...(e ? { group: `${e.region}/${e.projectId}`, class: e.type } : {}),
      custom_details: factMap(m, DETAIL_MAX),
    },
    ...(m.link ? { links: [{ href: m.link.url, text: m.link.label }] } : {}),
    client: 'dli-sync',
  };
}

export const pagerduty: ChannelDriver = {
  type: 'pagerduty',
  paging: true,
  // 120 events/min per integration key (PagerDuty Events API v2 rate limits): 10 + 100 stays under.
  pace: { perMinute: 100, burst: 10 },
  render(m, channel) {
    return {
      url: channel.url,
      headers: { ...JSON_HEADERS },
      body: JSON.stringify(pagerdutyPayload(m, channel.secret ?? '', channel.severity)),
    };
  },
  judge(reply, now) {
    const byStatus = judgeStatus(reply, now);
    if (byStatus === null) return { ok: true };
    if (byStatus.ok) return byStatus;
    // PagerDuty's error body: {"status":"invalid event","message":"Event object is invalid","errors":[…]}.
    const body = jsonBody(reply);
    const detail = safeReason(
      Array.isArray(body?.errors) ? body.errors.join('; ') : (body?.message ?? body?.status),
    );
    return { ...byStatus, reason: detail ? `${byStatus.reason}: ${detail}` : byStatus.reason };
  },
};
