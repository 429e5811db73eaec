/**
 * `dli-sync redeliver` for acknowledgements: the ack outbox items (lib/notify/ack-deliver.ts) are
 * parked like events, and are tried again here in redeliver mode (a parked channel once; a failure
 * parks it again, attempt counted).
 *
 * Which: `--event ID` → that event's ack, if it has one; `--failed` → every ack parked on some
 * channel, plus the acks of the events this run just redelivered: an ack waits for its alert
 * (ackStep skips a channel whose alert is parked, so nothing is recorded and the ack is not itself
 * parked), and once the alert is through it is the ack's turn.
 */
import { findFailedAcks, markAckDelivered } from '../store/ack-redeliver.ts';
import type { Store } from '../store/client.ts';
import { deliverAcks } from './ack-deliver.ts';
import type { ChannelConfig } from './config.ts';
import { type DeliverDeps, defaultDeps, type EventReport, type RedeliverTarget } from './deliver.ts';

export async function redeliverAcks(
  store: Store,
  channels: readonly ChannelConfig[],
  target: RedeliverTarget,
  /** Events just redelivered: their acks may have waited for them. */
  redelivered: readonly string[],
  deps: Partial<DeliverDeps> = {},
): Promise<EventReport[]> {
  const full = defaultDeps({ ...deps, mode: 'redeliver' });
  const ids =
    'eventId' in target ? [target.eventId] : [...(await findFailedAcks(store, target)), ...redelivered];
  // `missing`: no ack item (the event was never acknowledged): nothing to report.
  const reports = (await deliverAcks(store, ids, channels, full)).filter((r) => r.state !== 'missing');
  for (const r of reports)
    if (r.state === 'delivered' && Object.values(r.channels).some((c) => c.status === 'sent'))
      await markAckDelivered(store, r.eventId);
  return reports;
}
