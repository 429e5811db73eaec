/**
 * One batch's deliveries, decided without I/O: for each channel, which events it still owes,
 * which are suppressed as flapping, and whether they go out one by one or as one digest.
 *
 * A chat channel digests when the batch is over its digest threshold, or when it holds more
 * messages than the channel's pacing bucket can send before the deadline (`limits.sendable`): the
 * digest goes out before the platform would throttle, not after. A paging channel (PagerDuty, JSM)
 * never digests: each alert is its own incident, so its messages are paced instead.
 */
import type { ChangeEvent } from '../model/schemas.ts';
import type { ChannelConfig, NotifyOptions } from './config.ts';
import type { FlapDecision } from './flap.ts';
import { digestMessage, eventMessage, flappingMessage, type Message, type OriginalAlert } from './message.ts';
import { type DeliveryMap, isPending, type Mode } from './record.ts';
import { isReminder, reminderMessage } from './reminder-message.ts';
import { routes } from './routing.ts';

export interface EventContext {
  decision: FlapDecision;
  original: OriginalAlert | null;
}

export interface Send {
  message: Message;
  via: 'event' | 'flapping' | 'digest' | 'reminder' | 'outage';
  eventIds: string[];
}

export interface ChannelPlan {
  channel: ChannelConfig;
  sends: Send[];
  /** Events whose message is suppressed (flapping): recorded as such, never sent. */
  suppressed: string[];
  /** Events inhibited by another (inhibit.ts): recorded as suppressed via `inhibited`, never sent. */
  inhibited?: string[];
}

const NORMAL: EventContext = { decision: { kind: 'normal' }, original: null };

/** More than `threshold` messages for one channel in one batch become one digest; 0 = never. */
export const digestThreshold = (channel: ChannelConfig, options: NotifyOptions): number =>
  channel.digestThreshold ?? options.digestThreshold;

export function singleMessage(e: ChangeEvent, ctx: EventContext, options: NotifyOptions): Send {
  if (ctx.decision.kind === 'flapping' && options.flap) {
    const message = flappingMessage(e, {
      consoleUrlTemplate: options.consoleUrlTemplate,
      failures: ctx.decision.failures,
      windowMs: options.flap.windowMs,
    });
    return { message, via: 'flapping', eventIds: [e.id] };
  }
  return {
    message: eventMessage(e, { consoleUrlTemplate: options.consoleUrlTemplate, original: ctx.original }),
    via: 'event',
    eventIds: [e.id],
  };
}

/** What the channel's platform allows this batch: sends its bucket has until the deadline. */
export interface ChannelLimits {
  sendable: number;
  paging: boolean;
}

const UNLIMITED: ChannelLimits = { sendable: Number.POSITIVE_INFINITY, paging: false };

export function planChannel(
  channel: ChannelConfig,
  events: readonly ChangeEvent[],
  state: ReadonlyMap<string, DeliveryMap>,
  contexts: ReadonlyMap<string, EventContext>,
  options: NotifyOptions,
  mode: Mode,
  limits: ChannelLimits = UNLIMITED,
): ChannelPlan {
  const owed = events.filter((e) => routes(channel, e) && isPending(state.get(e.id)?.[channel.name], mode));
  const suppressed = owed.filter((e) => contexts.get(e.id)?.decision.kind === 'suppressed').map((e) => e.id);
  // Reminders are never folded into a digest: each says one alert is still open.
  const reminders = owed.filter(isReminder).map(
    (e): Send => ({
      message: reminderMessage(e, options),
      via: 'reminder',
      eventIds: [e.id],
    }),
  );
  const toSend = owed.filter((e) => !isReminder(e) && contexts.get(e.id)?.decision.kind !== 'suppressed');
  const threshold = digestThreshold(channel, options);
  // Threshold 0 means "never digest": such a channel is paced, whatever the batch.
  const digest =
    !limits.paging &&
    threshold > 0 &&
    (toSend.length > threshold || toSend.length > Math.max(1, limits.sendable));
  if (digest) {
    const message = digestMessage(toSend, {
      consoleUrlTemplate: options.consoleUrlTemplate,
      channel: channel.name,
    });
    return {
      channel,
      sends: [{ message, via: 'digest', eventIds: toSend.map((e) => e.id) }, ...reminders],
      suppressed,
    };
  }
  return {
    channel,
    sends: [...toSend.map((e) => singleMessage(e, contexts.get(e.id) ?? NORMAL, options)), ...reminders],
    suppressed,
  };
}
