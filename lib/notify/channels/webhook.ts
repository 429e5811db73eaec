/**
 * Generic webhook: the project's own JSON, signed so the receiver can authenticate it.
 *   X-DliSync-Timestamp: epoch seconds
 *   X-DliSync-Signature: sha256=<hex HMAC-SHA256 with the secret over `timestamp + "." + body`>
 *   Idempotency-Key:     the event id (or digest id); the same on every retry of the same message
 * A receiver should reject a timestamp more than 5 minutes off and remember keys it has processed.
 * Any 2xx is success.
 */
import { createHmac } from 'node:crypto';
import type { ChangeEvent } from '../../model/schemas.ts';
import { fitPayload, truncate, utf8Length } from '../escape.ts';
import type { Message } from '../message.ts';
import { type ChannelDriver, JSON_HEADERS, judgeStatus } from './types.ts';

export const WEBHOOK_SCHEMA = 'dli-sync.notification/v1';
const ERROR_MAX_SINGLE = 32_768;
const ERROR_MAX_DIGEST = 2_048;
/** No platform limit here; receivers commonly cap request bodies around 1 MB. */
const BODY_LIMIT = 512_000;

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Events as they are stored, with very long DLI errors cut (and said so), never dropped. */
function capped(e: ChangeEvent, max: number): ChangeEvent & { errorTruncated?: true } {
  if (e.error === null || e.error.length <= max) return e;
  return { ...e, error: truncate(e.error, max), errorTruncated: true };
}

export function webhookBody(m: Message, now: number): string {
  const start = m.events.length > 1 ? ERROR_MAX_DIGEST : ERROR_MAX_SINGLE;
  return fitPayload((max) => render(m, now, max), utf8Length, BODY_LIMIT, start);
}

function render(m: Message, now: number, max: number): string {
  return JSON.stringify({
    schema: WEBHOOK_SCHEMA,
    kind: m.kind,
    id: m.key,
    sentAt: new Date(now).toISOString(),
    title: m.title,
    summary: m.summary,
    note: m.note,
    link: m.link?.url ?? null,
    events: m.events.map((e) => capped(e, max)),
  });
}

export const webhook: ChannelDriver = {
  type: 'webhook',
  pace: { perMinute: 110, burst: 10 },
  render(m, channel, now) {
    const body = webhookBody(m, now);
    const timestamp = String(Math.floor(now / 1000));
    return {
      url: channel.url,
      headers: {
        ...JSON_HEADERS,
        'idempotency-key': m.key,
        'x-dli-sync-timestamp': timestamp,
        // The schema requires a secret for this type; the fallback keeps the types honest.
        'x-dli-sync-signature': webhookSignature(channel.secret ?? '', timestamp, body),
      },
      body,
    };
  },
  judge(reply, now) {
    return judgeStatus(reply, now) ?? { ok: true };
  },
};
