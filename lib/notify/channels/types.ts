/**
 * What every platform file provides: payload rendering (with signing), the rule that tells success
 * from failure, and the pace the platform tolerates. All pure: the clock comes in as `now`.
 */
import type { ChannelConfig, ChannelType } from '../config.ts';
import type { Message } from '../message.ts';

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** At most the first 64 KiB. */
  body: string;
}

/**
 * `after`: the platform said when to come back (429 Retry-After); `backoff`: transient, retry with
 * exponential backoff; `never`: retrying the same request cannot help (bad URL, bad signature,
 * payload refused). `reason` is for logs and the delivery record: status and platform code only,
 * never the URL or anything echoed from it.
 */
export type Verdict =
  | { ok: true }
  | { ok: false; retry: 'after'; afterMs: number; reason: string }
  | { ok: false; retry: 'backoff'; reason: string }
  | { ok: false; retry: 'never'; reason: string };

export interface Pace {
  /** Tokens refilled per minute. */
  perMinute: number;
  /** Bucket size. In any 60 s, at most burst + perMinute sends: both are chosen under the limit. */
  burst: number;
}

export interface ChannelDriver {
  type: ChannelType;
  pace: Pace;
  /**
   * A paging tool (PagerDuty, JSM): each alert is its own incident with its own key, so its messages
   * are never folded into a digest; a storm is paced instead (lib/notify/plan.ts).
   */
  paging?: true;
  /** `now`: epoch milliseconds, for signatures and timestamps. */
  render(message: Message, channel: ChannelConfig, now: number): HttpRequest;
  judge(reply: HttpReply, now: number): Verdict;
}

const header = (reply: HttpReply, name: string): string | undefined => {
  const v = reply.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(reply: HttpReply, now: number): number | null {
  const v = header(reply, 'retry-after')?.trim();
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The status-code part shared by every platform; `null` means "2xx, look at the body". */
export function judgeStatus(reply: HttpReply, now: number): Verdict | null {
  const s = reply.status;
  if (s >= 200 && s < 300) return null;
  if (s === 429) {
    const after = retryAfterMs(reply, now);
    return after === null
      ? { ok: false, retry: 'backoff', reason: 'HTTP 429' }
      : { ok: false, retry: 'after', afterMs: after, reason: 'HTTP 429' };
  }
  if (s === 408 || s >= 500) return { ok: false, retry: 'backoff', reason: `HTTP ${s}` };
  return { ok: false, retry: 'never', reason: `HTTP ${s}` };
}

/** JSON body or null: a platform that answers HTML from a proxy is judged by its status alone. */
export function jsonBody(reply: HttpReply): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(reply.body);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * A platform's error text, made safe for logs: one line, short, without URLs or long tokens (an
 * error could echo a key from the URL).
 */
export function safeReason(text: unknown): string {
  if (typeof text !== 'string') return '';
  return text
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/[A-Za-z0-9_\-=+/]{20,}/g, '<redacted>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
}

/** Judges `{code|errcode: 0}` platforms: the code is in the body, often with HTTP 200. */
export function judgeCode(
  reply: HttpReply,
  now: number,
  opts: { field: 'code' | 'errcode'; message: string; transient: readonly number[] },
): Verdict {
  const byStatus = judgeStatus(reply, now);
  if (byStatus) return byStatus;
  const body = jsonBody(reply);
  const code = body?.[opts.field] ?? body?.StatusCode;
  if (code === 0) return { ok: true };
  if (typeof code !== 'number')
    return { ok: false, retry: 'backoff', reason: `HTTP ${reply.status} without a ${opts.field}` };
  const text = safeReason(body?.[opts.message]);
  const reason = `${opts.field} ${code}${text ? `: ${text}` : ''}`;
  return opts.transient.includes(code)
    ? { ok: false, retry: 'backoff', reason }
    : { ok: false, retry: 'never', reason };
}

export const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'user-agent': 'dli-sync',
} as const;
