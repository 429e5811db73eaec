/**
 * Feishu / Lark custom bot: an interactive card. Optional signing: HMAC-SHA256 keyed with
 * `timestamp + "\n" + secret` over an EMPTY message, Base64, timestamp in seconds; both go in the
 * body next to msg_type. Success is JSON `code === 0` (often with HTTP 200 either way).
 * 5/s and 100/min per bot; 11232 means rate limited. Body ≤ 20 KB.
 *
 * Data goes into `plain_text` elements, which Feishu does not parse (no lark_md, no `<at id=all>`);
 * lark_md holds only our own labels.
 */
import { createHmac } from 'node:crypto';
import { clip, fitPayload, jsonBytes, literal, takeLines } from '../escape.ts';
import type { Message } from '../message.ts';
import { type ChannelDriver, JSON_HEADERS, judgeCode } from './types.ts';

const TEMPLATE = {
  failure: 'red',
  recovery: 'green',
  deletion: 'orange',
  flapping: 'yellow',
  digest: 'blue',
} as const;
const BODY_LIMIT = 19_000;

/** Feishu's signature: the HMAC key is the string-to-sign, the message is empty. */
export function feishuSign(timestampSeconds: string, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

type Element = Record<string, unknown>;

const plain = (content: string) => ({ tag: 'plain_text', content });
const md = (content: string) => ({ tag: 'lark_md', content });

export function feishuCard(m: Message, budget: number): Element {
  const elements: Element[] = [
    { tag: 'div', text: plain(clip(m.summary, literal, 1000)) },
    {
      tag: 'div',
      fields: m.facts.map((f) => ({
        is_short: f.value.length <= 40,
        text: plain(`${f.label}: ${clip(f.value, literal, 500)}`),
      })),
    },
  ];
  if (m.error !== null) {
    elements.push({ tag: 'div', text: md('**DLI error**') });
    elements.push({ tag: 'div', text: plain(clip(m.error, literal, budget)) });
  }
  if (m.lines.length > 0) {
    const { shown, more } = takeLines(m.lines, literal, 300, budget);
    elements.push({ tag: 'div', text: plain(shown.join('\n') + (more ? `\n…and ${more} more` : '')) });
  }
  if (m.note) elements.push({ tag: 'note', elements: [plain(clip(m.note, literal, 1000))] });
  if (m.link) {
    elements.push({
      tag: 'action',
      actions: [{ tag: 'button', text: plain(m.link.label), type: 'primary', url: m.link.url }],
    });
  }
  return {
    config: { wide_screen_mode: true },
    header: { template: TEMPLATE[m.tone], title: plain(clip(m.title, literal, 200)) },
    elements,
  };
}

export const feishu: ChannelDriver = {
  type: 'feishu',
  pace: { perMinute: 95, burst: 5 },
  render(m, channel, now) {
    const card = fitPayload((b) => feishuCard(m, b), jsonBytes, BODY_LIMIT, 4000);
    const timestamp = String(Math.floor(now / 1000));
    const signing = channel.secret ? { timestamp, sign: feishuSign(timestamp, channel.secret) } : {};
    return {
      url: channel.url,
      headers: { ...JSON_HEADERS },
      body: JSON.stringify({ ...signing, msg_type: 'interactive', card }),
    };
  },
  judge(reply, now) {
    // 11232: rate limited; 9499 with HTTP 5xx is caught by status. Others (19021 bad signature,
    // 19024 keyword check, 9499 bad request) will not pass on a retry.
    return judgeCode(reply, now, { field: 'code', message: 'msg', transient: [11232] });
  },
};
