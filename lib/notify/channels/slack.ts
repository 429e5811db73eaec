/**
 * Slack incoming webhook: Block Kit with a plain-text fallback. Success is HTTP 200 with the body
 * exactly `ok` (Slack has answered errors with 200). ~1 message/s per webhook with short bursts.
 */
import {
  clip,
  ELLIPSIS,
  fitPayload,
  jsonBytes,
  slackCode,
  slackPlain,
  slackText,
  slackUrl,
  takeLines,
} from '../escape.ts';
import type { Message } from '../message.ts';
import { type ChannelDriver, JSON_HEADERS, judgeStatus, safeReason } from './types.ts';

const EMOJI = {
  failure: ':red_circle:',
  recovery: ':large_green_circle:',
  deletion: ':wastebasket:',
  flapping: ':warning:',
  digest: ':bell:',
} as const;

// Slack's documented limits, with room for our own markup around the data.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const MAX_FIELDS = 10;
const BODY_LIMIT = 38_000;

type Block = Record<string, unknown>;

// verbatim: Slack would otherwise link bare URLs and channel names, and parse mentions, by itself.
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });

export function slackPayload(m: Message, budget: number): { text: string; blocks: Block[] } {
  const blocks: Block[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`${m.title}`, slackPlain, HEADER_MAX), emoji: false },
    },
    { type: 'section', text: mrkdwn(`${EMOJI[m.tone]} ${clip(m.summary, slackText, SECTION_MAX - 30)}`) },
    {
      type: 'section',
      fields: m.facts
        .slice(0, MAX_FIELDS)
        .map((f) => mrkdwn(`*${f.label}*\n\`${clip(f.value, slackCode, Math.min(FIELD_MAX - 40, 500))}\``)),
    },
  ];
  if (m.error !== null) {
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*DLI error*\n\`\`\`${clip(m.error, slackCode, Math.min(budget, SECTION_MAX - 30)) || ELLIPSIS}\`\`\``,
      ),
    });
  }
  if (m.lines.length > 0)
    blocks.push({ type: 'section', text: mrkdwn(linesText(m.lines, Math.min(budget, SECTION_MAX))) });
  if (m.note) blocks.push({ type: 'context', elements: [mrkdwn(clip(m.note, slackText, SECTION_MAX))] });
  if (m.link) blocks.push({ type: 'section', text: mrkdwn(`<${slackUrl(m.link.url)}|${m.link.label}>`) });
  return { text: clip(`${m.title}: ${m.summary}`, slackText, SECTION_MAX), blocks };
}

/** Digest lines as code spans, as many as fit, then how many were left out. */
function linesText(lines: readonly string[], max: number): string {
  const { shown, more } = takeLines(lines, slackCode, 300, max - 40);
  return shown.map((l) => `• \`${l}\``).join('\n') + (more ? `\n…and ${more} more` : '');
}

export const slack: ChannelDriver = {
  type: 'slack',
  pace: { perMinute: 55, burst: 3 },
  render(m, channel) {
    const payload = fitPayload((b) => slackPayload(m, b), jsonBytes, BODY_LIMIT, SECTION_MAX);
    return { url: channel.url, headers: { ...JSON_HEADERS }, body: JSON.stringify(payload) };
  },
  judge(reply, now) {
    const byStatus = judgeStatus(reply, now);
    if (byStatus)
      return byStatus.ok
        ? byStatus
        : { ...byStatus, reason: `${byStatus.reason} ${safeReason(reply.body)}`.trim() };
    if (reply.status === 200 && reply.body.trim() === 'ok') return { ok: true };
    return {
      ok: false,
      retry: 'never',
      reason: `HTTP ${reply.status}: ${safeReason(reply.body) || 'body is not ok'}`,
    };
  },
};
