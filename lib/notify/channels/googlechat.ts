/**
 * Google Chat incoming webhook: a card (cardsV2), whose text takes a small HTML subset with entity
 * escaping, plus a short `text` preview for notifications. Any 2xx with the Message resource is
 * success; 60 writes/min per space; 429 → backoff. Body ≤ 32,000 bytes.
 */
import {
  chatPreview,
  clip,
  fitPayload,
  htmlText,
  jsonBytes,
  literal,
  oneLine,
  takeLines,
} from '../escape.ts';
import type { Message } from '../message.ts';
import { type ChannelDriver, JSON_HEADERS, judgeStatus } from './types.ts';

const BODY_LIMIT = 30_000;
const COLOR = {
  failure: '#d93025',
  recovery: '#188038',
  deletion: '#e37400',
  flapping: '#f9ab00',
  digest: '#1a73e8',
} as const;

type Widget = Record<string, unknown>;

export function googleChatPayload(m: Message, budget: number): Record<string, unknown> {
  const widgets: Widget[] = [
    { textParagraph: { text: `<font color="${COLOR[m.tone]}">${clip(m.summary, htmlText, 1000)}</font>` } },
    ...m.facts.map((f) => ({
      decoratedText: {
        topLabel: f.label,
        text: clip(f.value, (s) => htmlText(oneLine(s)), 500),
        wrapText: true,
      },
    })),
  ];
  if (m.error !== null)
    widgets.push({
      textParagraph: {
        text: `<b>DLI error</b><br>${clip(m.error, htmlText, budget).replace(/\n/g, '<br>')}`,
      },
    });
  if (m.lines.length > 0) {
    const { shown, more } = takeLines(m.lines, (s) => htmlText(oneLine(s)), 300, budget);
    widgets.push({
      textParagraph: {
        text: shown.join('<br>') + (more ? `<br>…and ${more} more` : ''),
      },
    });
  }
  if (m.note) widgets.push({ textParagraph: { text: `<i>${clip(m.note, htmlText, 1000)}</i>` } });
  if (m.link)
    widgets.push({
      buttonList: { buttons: [{ text: m.link.label, onClick: { openLink: { url: m.link.url } } }] },
    });
  return {
    text: clip(m.title, chatPreview, 300),
    cardsV2: [
      {
        cardId: m.key,
        // Card headers are plain text, not HTML.
        card: { header: { title: clip(m.title, (s) => literal(oneLine(s)), 200) }, sections: [{ widgets }] },
      },
    ],
  };
}

export const googlechat: ChannelDriver = {
  type: 'googlechat',
  pace: { perMinute: 55, burst: 5 },
  render(m, channel) {
    const payload = fitPayload((b) => googleChatPayload(m, b), jsonBytes, BODY_LIMIT, 8000);
    return { url: channel.url, headers: { ...JSON_HEADERS }, body: JSON.stringify(payload) };
  },
  judge(reply, now) {
    return judgeStatus(reply, now) ?? { ok: true };
  },
};
