/**
 * Messages of the stuck, stale and hint parts of #14: what PEERING_STUCK, TARGET_STALE and
 * TARGET_RECOVERED say, the recovery that closes a stuck alert, cause hints as facts, paging fields,
 * digests, and channels' `events` / `recovered` filters.
 */
import { describe, expect, it } from 'vitest';
import { alertKey } from '../../../lib/model/alert-key.ts';
import { stuckEventId } from '../../../lib/model/event-id.ts';
import { parseChannels } from '../../../lib/notify/config.ts';
import { digestMessage, eventMessage } from '../../../lib/notify/message.ts';
import { routes } from '../../../lib/notify/routing.ts';
import { recoveredEvent, staleEvent } from '../../../lib/sync/stale.ts';
import { channel, event, OPTIONS, T0 } from './fixtures.ts';

const tpl = { consoleUrlTemplate: OPTIONS.consoleUrlTemplate };
const SINCE = '2026-11-28T09:35:00.000Z';
const stuck = event({
  id: 'evt_stuck',
  type: 'PEERING_STUCK',
  peeringKey: 'etl_queue',
  previousStatus: 'CREATING',
  status: 'CREATING',
  error: null,
  creatingSince: SINCE,
});
const target = { region: 'cn-north-4', projectId: 'p1' };
const label = (facts: { label: string }[]) => facts.map((f) => f.label);

describe('PEERING_STUCK', () => {
  it('is a failure naming the peering, since when and for how long, and triggers the peering alert', () => {
    const m = eventMessage(stuck, tpl);
    expect(m).toMatchObject({
      tone: 'failure',
      title: 'Peering stuck in CREATING: orders-db ↔ etl_queue',
      error: null,
      action: 'trigger',
      alertKey: alertKey(event({ peeringKey: 'etl_queue' })),
    });
    expect(m.summary).toContain('CREATING for 25 minutes');
    expect(m.facts).toContainEqual({ label: 'CREATING since', value: SINCE });
    expect(label(m.facts)).not.toContain('Likely cause');
  });

  it('with a known error text, shows the likely cause, next step and FAQ link', () => {
    const m = eventMessage({ ...stuck, error: '子网找不到' }, tpl);
    expect(label(m.facts)).toEqual(expect.arrayContaining(['Likely cause', 'Next step', 'DLI FAQ']));
    expect(m.facts.find((f) => f.label === 'DLI FAQ')?.value).toContain('dli_03_0237');
  });

  it('its recovery (previousStatus CREATING) names the stuck alert and resolves the same key', () => {
    const r = event({
      type: 'PEERING_RECOVERED',
      peeringKey: 'etl_queue',
      previousStatus: 'CREATING',
      status: 'ACTIVE',
      error: null,
      creatingSince: SINCE,
    });
    const m = eventMessage(r, { ...tpl, original: null });
    expect(m.tone).toBe('recovery');
    expect(m.note).toBe(
      `Recovers the stuck-peering alert ${stuckEventId('c-1', 'queue', 'etl_queue', SINCE)}: it was CREATING since ${SINCE}.`,
    );
    expect(m).toMatchObject({ action: 'resolve', alertKey: alertKey(stuck) });
  });
});

describe('TARGET_STALE and TARGET_RECOVERED', () => {
  const stale = staleEvent(target, SINCE, { error: 'APIG.0301: verify aksk signature fail', runId: 'r' }, T0);
  it('stale is a failure about the target: no connection facts, its last error and a hint', () => {
    const m = eventMessage(stale, tpl);
    expect(m).toMatchObject({
      tone: 'failure',
      title: 'Target not swept: cn-north-4/p1',
      error: 'APIG.0301: verify aksk signature fail',
      action: 'trigger',
      alertKey: 'cn-north-4/p1/target',
    });
    expect(label(m.facts)).not.toContain('Connection');
    expect(label(m.facts)).not.toContain('Queue');
    expect(m.facts).toContainEqual({ label: 'Last complete sweep', value: SINCE });
    expect(m.facts).toContainEqual({ label: 'Status', value: 'ACTIVE → STALE' });
    expect(label(m.facts)).toContain('Likely cause');
  });

  it('a stale target whose runs recorded no error says so', () => {
    expect(eventMessage(staleEvent(target, SINCE, null, T0), tpl).error).toContain('recorded no error');
  });

  it('recovered is a recovery resolving the same target key', () => {
    const m = eventMessage(recoveredEvent(target, SINCE, T0, T0), tpl);
    expect(m).toMatchObject({
      tone: 'recovery',
      title: 'Target swept again: cn-north-4/p1',
      action: 'resolve',
      alertKey: 'cn-north-4/p1/target',
      error: null,
    });
  });

  it('digests count and list them', () => {
    const d = digestMessage([stuck, stale, recoveredEvent(target, SINCE, T0, T0)], {
      ...tpl,
      channel: 'ops',
    });
    expect(d.summary).toBe('1 stuck peerings, 1 stale targets, 1 targets swept again in cn-north-4/p1.');
    expect(d.lines).toEqual(
      expect.arrayContaining([
        `${T0} cn-north-4/p1: orders-db ↔ etl_queue stuck in CREATING`,
        `${T0} cn-north-4/p1: target not swept`,
        `${T0} cn-north-4/p1: target swept again`,
      ]),
    );
  });
});

describe('channel filters', () => {
  it('`events` accepts the new types and routes by them', () => {
    const [c] = parseChannels(
      JSON.stringify([
        {
          name: 'oncall',
          type: 'slack',
          url: 'https://hooks.slack.com/services/T/B/x',
          events: ['PEERING_STUCK', 'TARGET_STALE', 'TARGET_RECOVERED'],
        },
      ]),
    );
    expect(c?.events).toEqual(['PEERING_STUCK', 'TARGET_STALE', 'TARGET_RECOVERED']);
    expect(routes(channel(c), stuck)).toBe(true);
    expect(routes(channel(c), event())).toBe(false);
  });
  it('`recovered: false` leaves target recoveries out too', () => {
    const r = recoveredEvent(target, SINCE, T0, T0);
    expect(routes(channel({ recovered: false }), r)).toBe(false);
    expect(routes(channel(), r)).toBe(true);
  });
});
