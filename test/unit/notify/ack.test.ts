/** What an acknowledgement says and which channels get one; digests and recoveries naming the ack. Pure. */
import { describe, expect, it } from 'vitest';
import { isAckable } from '../../../lib/model/ack.ts';
import { alertKey } from '../../../lib/model/alert-key.ts';
import { EVENT_TYPES } from '../../../lib/model/schemas.ts';
import { ackMessage, ackStep } from '../../../lib/notify/ack-message.ts';
import { digestMessage, eventMessage } from '../../../lib/notify/message.ts';
import type { DeliveryMap, DeliveryRecord } from '../../../lib/notify/record.ts';
import { channel, event, OPTIONS } from './fixtures.ts';

const ACK = { acknowledgedBy: 'alice', acknowledgedAt: '2026-11-28T10:05:00.000Z', ackNote: null };
const ctx = { consoleUrlTemplate: OPTIONS.consoleUrlTemplate };
const rec = (status: DeliveryRecord['status']): DeliveryRecord => ({ status, at: 'x', attempts: 1 });

describe('ackMessage', () => {
  it('is an acknowledge action on the alert key, with its own idempotency key and a short text', () => {
    const e = event({ id: 'evt_abcdefghijklmnopqrstuvwxyz' });
    const m = ackMessage(e, ACK, ctx);
    expect(m).toMatchObject({
      key: 'ack_abcdefghijklmnopqrstuvwxyz',
      action: 'acknowledge',
      alertKey: alertKey(e),
      tone: 'digest',
      error: null,
      note: null,
    });
    expect(m.title).toBe('Acknowledged by alice: Peering failed: orders-db ↔ etl_queue');
    expect(m.facts.map((f) => f.label)).toEqual(['Acknowledged by', 'Acknowledged at', 'Alert']);
    expect(ackMessage(e, { ...ACK, ackNote: 'on it' }, ctx).note).toBe('Note: on it');
  });
});

describe("ackStep: every combination of the alert's and the ack's record", () => {
  const statuses = [undefined, 'sent', 'suppressed', 'retrying', 'failed'] as const;
  const e = event();
  for (const alert of statuses)
    for (const ack of statuses)
      for (const mode of ['stream', 'redeliver'] as const) {
        const expected =
          ack === 'sent' || ack === 'suppressed' || (ack === 'failed' && mode === 'stream')
            ? 'skip'
            : alert === 'sent'
              ? 'send'
              : alert === 'retrying'
                ? 'wait'
                : 'skip';
        it(`alert ${alert ?? 'none'}, ack ${ack ?? 'none'}, ${mode}: ${expected}`, () => {
          const ed: DeliveryMap = alert ? { ops: rec(alert) } : {};
          const ad: DeliveryMap = ack ? { ops: rec(ack) } : {};
          expect(ackStep(channel(), e, ed, ad, mode)).toBe(expected);
        });
      }
  it('skips a channel that does not route the event, whatever its records say', () => {
    expect(ackStep(channel({ events: ['CONNECTION_DELETED'] }), e, { ops: rec('sent') }, {}, 'stream')).toBe(
      'skip',
    );
  });
});

describe('isAckable', () => {
  it('takes alerts only: failures and deletions, not recoveries or held deletions', () => {
    expect(EVENT_TYPES.filter(isAckable)).toEqual([
      'PEERING_FAILED',
      'CONNECTION_DELETED',
      'TARGET_DENIED',
      'PEERING_STUCK',
      'TARGET_STALE',
    ]);
    for (const t of ['PEERING_STUCK', 'TARGET_STALE', 'TARGET_DENIED']) expect(isAckable(t)).toBe(true);
    expect(isAckable('TARGET_RECOVERED')).toBe(false);
  });
});

describe('acknowledgement in digests and recoveries', () => {
  it('a digest line names who acknowledged', () => {
    const m = digestMessage([event({ ...ACK }), event({ id: 'evt_2', queue: 'q2' })], {
      ...ctx,
      channel: 'ops',
    });
    expect(m.lines).toEqual([
      '2026-11-28T10:00:00.000Z cn-north-4/p1: orders-db ↔ etl_queue failed (acknowledged by alice)',
      '2026-11-28T10:00:00.000Z cn-north-4/p1: orders-db ↔ q2 failed',
    ]);
  });
  it('a recovery names the ack of the failure it closes, and says nothing when there was none', () => {
    const r = event({ type: 'PEERING_RECOVERED', status: 'ACTIVE', previousStatus: 'FAILED' });
    const original = { id: 'evt_f', at: 'T0' };
    expect(eventMessage(r, { ...ctx, original: { ...original, ...ACK } }).note).toBe(
      'Recovers the failure alert evt_f detected at T0. Acknowledged by alice at 2026-11-28T10:05:00.000Z.',
    );
    expect(eventMessage(r, { ...ctx, original }).note).toBe(
      'Recovers the failure alert evt_f detected at T0.',
    );
  });
});
