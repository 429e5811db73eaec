/**
 * Delivery of acknowledgements through the outbox: the ack item (lib/store/ack.ts) carries one
 * delivery record per channel, with the same rules as an event's (send, then record; the first
 * completed record wins; failures counted and parked after `maxDeliveryAttempts`; `redeliver
 * --event` tries a parked one again). Which channels get one, and what it says: ack-message.ts.
 */

import { readAck, readEvent, recordAckDelivery } from '../store/ack-outbox.ts';
import type { Store } from '../store/client.ts';
import { ackMessage, ackStep } from './ack-message.ts';
import { DRIVERS } from './channels/index.ts';
import type { ChannelConfig } from './config.ts';
import type { ChannelOutcome, DeliverDeps, EventReport } from './deliver.ts';
import { type DeliveryRecord, deliveryState, failureRecord, parseDelivery } from './record.ts';
import { sendMessage } from './send.ts';

async function deliverAck(
  store: Store,
  eventId: string,
  channels: readonly ChannelConfig[],
  deps: DeliverDeps,
): Promise<EventReport> {
  const missing: EventReport = { eventId, retry: false, state: 'missing', channels: {} };
  const ack = await readAck(store, eventId);
  const event = ack && (await readEvent(store, eventId));
  if (!ack || !event) return missing;
  const eventDelivery = parseDelivery(event.delivery);
  const records = parseDelivery(ack.delivery);
  const message = ackMessage(event, ack, { consoleUrlTemplate: deps.options.consoleUrlTemplate });
  const outcomes: Record<string, ChannelOutcome> = {};
  const owed: string[] = [];
  const at = () => new Date(deps.now()).toISOString();
  for (const channel of channels) {
    const step = ackStep(channel, event, eventDelivery, records, deps.mode);
    if (eventDelivery[channel.name]?.status === 'sent') owed.push(channel.name);
    if (step === 'skip') continue;
    if (step === 'wait') {
      outcomes[channel.name] = { status: 'deferred', reason: 'the alert itself is still being delivered' };
      continue;
    }
    const result = await sendMessage(DRIVERS[channel.type], channel, message, deps.options.retry, deps);
    if (!result.ok && result.deferred) {
      outcomes[channel.name] = { status: 'deferred', reason: result.reason };
      continue;
    }
    const rec: DeliveryRecord = result.ok
      ? { status: 'sent', at: at(), attempts: result.attempts, via: 'event', key: message.key }
      : failureRecord(records[channel.name], result, {
          at: at(),
          maxAttempts: deps.options.maxDeliveryAttempts,
          mode: deps.mode,
        });
    try {
      const done = await recordAckDelivery(store, eventId, channel.name, rec);
      if (done) records[channel.name] = rec;
      outcomes[channel.name] = !done
        ? { status: 'already' }
        : rec.status === 'sent'
          ? { status: 'sent' }
          : { status: rec.status === 'failed' ? 'failed' : 'retrying', reason: rec.reason ?? '' };
    } catch {
      outcomes[channel.name] = { status: 'unrecorded', reason: 'delivery record not written' };
    }
    deps.log({
      level: result.ok ? 'INFO' : 'WARN',
      message: result.ok ? 'acknowledgement sent' : 'acknowledgement failed',
      channel: channel.name,
      key: message.key,
      ...(result.ok ? {} : { reason: result.reason }),
    });
  }
  const retry = Object.values(outcomes).some((o) =>
    ['retrying', 'deferred', 'unrecorded'].includes(o.status),
  );
  return { eventId, retry, state: deliveryState(records, owed), channels: outcomes };
}

/** Each acknowledgement in turn; a store failure of one is reported as a retry of that one. */
export async function deliverAcks(
  store: Store,
  eventIds: readonly string[],
  channels: readonly ChannelConfig[],
  deps: DeliverDeps,
): Promise<EventReport[]> {
  const reports: EventReport[] = [];
  for (const id of new Set(eventIds)) {
    try {
      reports.push(await deliverAck(store, id, channels, deps));
    } catch (err) {
      deps.log({
        level: 'ERROR',
        message: 'acknowledgement delivery failed',
        eventId: id,
        error: err instanceof Error ? err.name : 'Error',
      });
      reports.push({ eventId: id, retry: true, state: 'pending', channels: {} });
    }
  }
  return reports;
}
