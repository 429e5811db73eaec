/**
 * Microsoft Teams via a Workflows (Power Automate) webhook: an Adaptive Card 1.4 in `attachments`.
 * Any 2xx is success (202 with an empty body in practice). The URL carries its own `sig=`.
 *
 * Data goes into RichTextBlock TextRuns, which Teams shows literally (no markdown), so a name can
 * neither format nor link; TextBlock and FactSet, which parse markdown, hold only our own labels.
 */
import { clip, fitPayload, jsonBytes, literal, takeLines } from '../escape.ts';
import type { Message } from '../message.ts';
import { type ChannelDriver, JSON_HEADERS, judgeStatus } from './types.ts';

const COLOR = {
  failure: 'Attention',
  recovery: 'Good',
  deletion: 'Warning',
  flapping: 'Warning',
  digest: 'Accent',
} as const;
const BODY_LIMIT = 27_000;
const VALUE_MAX = 500;

type Element = Record<string, unknown>;

const run = (text: string, extra: Record<string, unknown> = {}): Element => ({
  type: 'TextRun',
  text,
  ...extra,
});
const rich = (...inlines: Element[]): Element => ({ type: 'RichTextBlock', inlines });

export function teamsCard(m: Message, budget: number): Element {
  const body: Element[] = [
    rich(run(clip(m.title, literal, 300), { weight: 'Bolder', size: 'Medium', color: COLOR[m.tone] })),
    rich(run(clip(m.summary, literal, 1000))),
    ...m.facts.map((f) =>
      rich(run(`${f.label}: `, { weight: 'Bolder' }), run(clip(f.value, literal, VALUE_MAX))),
    ),
  ];
  if (m.error !== null) {
    body.push({ type: 'TextBlock', text: 'DLI error', weight: 'Bolder', spacing: 'Medium' });
    body.push(rich(run(clip(m.error, literal, budget), { fontType: 'Monospace' })));
  }
  if (m.lines.length > 0) {
    const { shown, more } = takeLines(m.lines, literal, 300, budget);
    body.push(rich(run(shown.join('\n'))));
    if (more > 0) body.push(rich(run(`…and ${more} more`, { isSubtle: true })));
  }
  if (m.note) body.push(rich(run(clip(m.note, literal, 1000), { isSubtle: true })));
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(m.link ? { actions: [{ type: 'Action.OpenUrl', title: m.link.label, url: m.link.url }] } : {}),
  };
}

export const teams: ChannelDriver = {
  type: 'teams',
  pace: { perMinute: 50, burst: 5 },
  render(m, channel) {
    const card = fitPayload((b) => teamsCard(m, b), jsonBytes, BODY_LIMIT, 8000);
    const payload = {
      type: 'message',
      attachments: [
        { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
      ],
    };
    return { url: channel.url, headers: { ...JSON_HEADERS }, body: JSON.stringify(payload) };
  },
  judge(reply, now) {
    return judgeStatus(reply, now) ?? { ok: true };
  },
};
