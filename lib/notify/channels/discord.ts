/**
 * Discord webhook: one embed, `allowed_mentions: {parse: []}` so nothing in it can ping anyone.
 * Success is 204 (or 200 with ?wait=true). 429 carries Retry-After and JSON `retry_after` (float
 * seconds); 404 means the webhook is gone. Embed limits: title 256, description 4,096, field value
 * 1,024, 25 fields, 6,000 characters across the embed.
 */
import { clip, fitPayload, markdown, oneLine, takeLines } from '../escape.ts';
import type { Message } from '../message.ts';
import { type ChannelDriver, JSON_HEADERS, jsonBody, judgeStatus } from './types.ts';

const COLOR = {
  failure: 0xd93025,
  recovery: 0x188038,
  deletion: 0xe37400,
  flapping: 0xf9ab00,
  digest: 0x1a73e8,
} as const;
const EMBED_MAX = 5_800;

type Embed = {
  title: string;
  description: string;
  color: number;
  fields: { name: string; value: string; inline: boolean }[];
  timestamp?: string;
  url?: string;
  footer: { text: string };
};

/** What Discord counts toward the 6,000: title, description, field names and values, footer. */
export const embedChars = (e: Embed): number =>
  e.title.length +
  e.description.length +
  e.footer.text.length +
  e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);

export function discordEmbed(m: Message, budget: number): Embed {
  const fields = m.facts.map((f) => ({
    name: f.label,
    value: clip(f.value, (s) => markdown(oneLine(s)), 300),
    inline: f.value.length <= 40,
  }));
  if (m.error !== null)
    fields.push({
      name: 'DLI error',
      value: clip(m.error, markdown, Math.min(1000, budget)) || '…',
      inline: false,
    });
  let description = clip(m.summary, markdown, 1000);
  if (m.lines.length > 0) {
    const { shown, more } = takeLines(m.lines, (s) => markdown(oneLine(s)), 200, Math.min(budget, 2400));
    description += `\n${shown.map((l) => `• ${l}`).join('\n')}${more ? `\n…and ${more} more` : ''}`;
  }
  if (m.note) description += `\n\n${clip(m.note, markdown, 500)}`;
  // Discord validates the timestamp as ISO 8601; the event time is one.
  return {
    title: clip(m.title, (s) => markdown(oneLine(s)), 256),
    description,
    color: COLOR[m.tone],
    fields: fields.slice(0, 25),
    ...(m.at ? { timestamp: m.at } : {}),
    ...(m.link ? { url: m.link.url } : {}),
    footer: { text: 'dli-sync' },
  };
}

export const discord: ChannelDriver = {
  type: 'discord',
  pace: { perMinute: 25, burst: 5 },
  render(m, channel) {
    const embed = fitPayload((b) => discordEmbed(m, b), embedChars, EMBED_MAX, 1000);
    const payload = { embeds: [embed], allowed_mentions: { parse: [] } };
    return { url: channel.url, headers: { ...JSON_HEADERS }, body: JSON.stringify(payload) };
  },
  judge(reply, now) {
    if (reply.status === 429) {
      // The JSON retry_after is more precise than the header (float seconds).
      const seconds = jsonBody(reply)?.retry_after;
      if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) {
        return { ok: false, retry: 'after', afterMs: Math.ceil(seconds * 1000), reason: 'HTTP 429' };
      }
    }
    return judgeStatus(reply, now) ?? { ok: true };
  },
};
