/**
 * The weekly report's one line, posted to every channel that set `weeklyReport: true`, through the
 * same drivers, pacing and retries as every notification (send.ts). The line carries a presigned
 * link, a credential: results and logs name channels and reasons only, never the message.
 */
import { DRIVERS } from './channels/index.ts';
import type { ChannelConfig, DeliveryRetryPolicy } from './config.ts';
import type { Message } from './message.ts';
import { type SendDeps, sendMessage } from './send.ts';

export interface WeeklyAnnouncement {
  /** Idempotency key, the same on every run for the same report object. */
  key: string;
  /** The line without the link. */
  text: string;
  /** The line with the link. */
  line: string;
  link: string;
  /** When the link stops working (ISO). */
  expiresAt: string;
  at: string;
}

/** Pure. A chat-only message (no `action`): paging tools never get it (config.ts refuses them). */
export function weeklyMessage(a: WeeklyAnnouncement): Message {
  return {
    key: a.key,
    // `digest` is the message kind that stands for no single event; every driver renders it.
    kind: 'digest',
    tone: 'digest',
    title: a.text,
    summary: a.line,
    facts: [],
    error: null,
    note: `The link expires by ${a.expiresAt}.`,
    lines: [],
    link: { label: 'Open the weekly report', url: a.link },
    at: a.at,
    events: [],
  };
}

export const weeklyChannels = (channels: readonly ChannelConfig[]): ChannelConfig[] =>
  channels.filter((c) => c.weeklyReport === true);

export interface WeeklyPostResult {
  channel: string;
  ok: boolean;
  /** Status and platform code only (send.ts), never the URL or the link. */
  reason: string | null;
}

/** Posts to each opted-in channel in turn; one channel failing does not stop the others. */
export async function postWeeklySummary(
  channels: readonly ChannelConfig[],
  a: WeeklyAnnouncement,
  policy: DeliveryRetryPolicy,
  deps: SendDeps,
): Promise<WeeklyPostResult[]> {
  const message = weeklyMessage(a);
  const out: WeeklyPostResult[] = [];
  for (const channel of weeklyChannels(channels)) {
    const r = await sendMessage(DRIVERS[channel.type], channel, message, policy, deps);
    out.push({ channel: channel.name, ok: r.ok, reason: r.ok ? null : r.reason });
  }
  return out;
}
