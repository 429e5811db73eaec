/**
 * DingTalk custom robot: markdown. Optional signing: HMAC-SHA256 keyed with the secret over
 * `timestamp + "\n" + secret`, Base64, URL-encoded; timestamp in MILLISECONDS; both appended as
 * query parameters. `msgUuid` (the event id) makes a retried send idempotent on DingTalk's side.
 * Success is JSON `errcode === 0` (errors come with HTTP 200). 20 messages/min per robot, then a
 * 10-minute throttle (130101): the pace stays under it.
 */
import { createHmac } from 'node:crypto';
import {
  clip,
  fitPayload,
  jsonBytes,
  literal,
  markdown,
  oneLine,
  safeUrl,
  takeLines,
  utf8Length,
} from '../escape.ts';
import type { Message } from '../message.ts';
import { type ChannelDriver, JSON_HEADERS, judgeCode } from './types.ts';

const BODY_LIMIT = 18_000;
const MARK = { failure: '🔴', recovery: '🟢', deletion: '🗑️', flapping: '⚠️', digest: '🔔' } as const;

export function dingtalkSign(timestampMs: string, secret: string): string {
  return encodeURIComponent(
    createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64'),
  );
}

export function dingtalkUrl(url: string, secret: string | undefined, now: number): string {
  if (!secret) return url;
  const timestamp = String(now);
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${dingtalkSign(timestamp, secret)}`;
}

/** The markdown body shared with WeCom: heading, facts, quoted error, lines, note, link. */
export function markdownText(
  m: Message,
  budget: number,
  opts: { heading: (title: string) => string },
): string {
  const parts = [
    opts.heading(`${MARK[m.tone]} ${clip(m.title, (s) => markdown(oneLine(s)), 200)}`),
    clip(m.summary, markdown, 1000),
    m.facts.map((f) => `**${f.label}**: ${clip(f.value, (s) => markdown(oneLine(s)), 300)}`).join('  \n'),
  ];
  if (m.error !== null) {
    const error = clip(m.error, markdown, budget, utf8Length);
    parts.push(
      `**DLI error**:\n${error
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n')}`,
    );
  }
  if (m.lines.length > 0) {
    const { shown, more } = takeLines(m.lines, (s) => markdown(oneLine(s)), 300, budget, utf8Length);
    parts.push(shown.map((l) => `- ${l}`).join('\n') + (more ? `\n\n…and ${more} more` : ''));
  }
  if (m.note) parts.push(clip(m.note, markdown, 1000));
  if (m.link) parts.push(`[${m.link.label}](${safeUrl(m.link.url)})`);
  return parts.join('\n\n');
}

export const dingtalk: ChannelDriver = {
  type: 'dingtalk',
  pace: { perMinute: 18, burst: 2 },
  render(m, channel, now) {
    const payload = fitPayload(
      (b) => ({
        msgtype: 'markdown',
        // The title is what the notification shows; it is not rendered as markdown.
        markdown: {
          title: clip(m.title, (s) => literal(oneLine(s)), 64),
          text: markdownText(m, b, { heading: (t) => `### ${t}` }),
        },
        at: { isAtAll: false, atMobiles: [], atUserIds: [] },
        msgUuid: m.key,
      }),
      jsonBytes,
      BODY_LIMIT,
      6000,
    );
    return {
      url: dingtalkUrl(channel.url, channel.secret, now),
      headers: { ...JSON_HEADERS },
      body: JSON.stringify(payload),
    };
  },
  judge(reply, now) {
    // -1: system busy; 130101: sending too fast (10-minute throttle; not waited for here, the
    // delivery is retried later). Others (310000 bad signature/keyword/IP, 300001 bad token) are final.
    return judgeCode(reply, now, { field: 'errcode', message: 'errmsg', transient: [-1, 130101, 410100] });
  },
};
