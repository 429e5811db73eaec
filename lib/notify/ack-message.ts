/**
 * What an acknowledgement says, and to whom. Pure.
 *
 * To whom: the channels that were sent the alert (its delivery record says `sent`, by itself, as
 * the flapping message or in a digest). A paging tool needs the `acknowledge` for the incident it
 * opened; a chat channel gets one short "acknowledged by X" message where people saw the alert, so
 * nobody else picks it up. A channel the alert never reached (routed away, suppressed as flapping,
 * parked, or added later) gets nothing: an ack of an alert it never showed would only confuse.
 * While the alert's own delivery to a channel is still being retried, the ack waits for it.
 */
import type { Ack } from '../model/ack.ts';
import { alertKey } from '../model/alert-key.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import type { ChannelConfig } from './config.ts';
import { eventMessage, type Message } from './message.ts';
import { type DeliveryMap, isPending, type Mode } from './record.ts';
import { routes } from './routing.ts';

/** Distinct from the event's own key (DingTalk msgUuid, webhook Idempotency-Key), stable across retries. */
export const ackMessageKey = (eventId: string): string => `ack_${eventId.replace(/^evt_/, '')}`;

export function ackMessage(e: ChangeEvent, ack: Ack, ctx: { consoleUrlTemplate: string }): Message {
  const alert = eventMessage(e, ctx);
  return {
    ...alert,
    key: ackMessageKey(e.id),
    // Neutral: in the alert's own colour it would read as a second failure.
    tone: 'digest',
    title: `Acknowledged by ${ack.acknowledgedBy}: ${alert.title}`,
    summary: `${ack.acknowledgedBy} acknowledged alert ${e.id} at ${ack.acknowledgedAt}.`,
    // Short: who, when, which alert. The alert's details were in its own message.
    facts: [
      { label: 'Acknowledged by', value: ack.acknowledgedBy },
      { label: 'Acknowledged at', value: ack.acknowledgedAt },
      { label: 'Alert', value: `${e.id} (detected at ${e.detectedAt})` },
    ],
    error: null,
    note: ack.ackNote ? `Note: ${ack.ackNote}` : null,
    events: [{ ...e, ...ack }],
    action: 'acknowledge',
    alertKey: alertKey(e),
  };
}

export type AckStep = 'send' | 'wait' | 'skip';

/** What one channel's acknowledgement needs now, from the alert's and the ack's delivery records. */
export function ackStep(
  channel: ChannelConfig,
  e: ChangeEvent,
  eventDelivery: DeliveryMap,
  ackDelivery: DeliveryMap,
  mode: Mode,
): AckStep {
  if (!routes(channel, e) || !isPending(ackDelivery[channel.name], mode)) return 'skip';
  const alert = eventDelivery[channel.name]?.status;
  if (alert === 'sent') return 'send';
  return alert === 'retrying' ? 'wait' : 'skip';
}
