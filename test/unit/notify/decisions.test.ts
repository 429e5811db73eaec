/** Flap suppression, recovery references, digests and messages: the decisions, without I/O. */
import { describe, expect, it } from 'vitest';
import { eventId } from '../../../lib/model/event-id.ts';
import type { ChangeEvent, HistoryVersion } from '../../../lib/model/schemas.ts';
import type { NotifyOptions } from '../../../lib/notify/config.ts';
import { decideFlap, historyIsEnough, originalFailure, peeringTimeline } from '../../../lib/notify/flap.ts';
import {
  consoleUrl,
  digestKey,
  digestMessage,
  eventMessage,
  flappingMessage,
} from '../../../lib/notify/message.ts';
import { type EventContext, planChannel } from '../../../lib/notify/plan.ts';
import { channel, event, OPTIONS } from './fixtures.ts';

const START = Date.parse('2026-11-28T10:00:00.000Z');
const MIN = 60_000;

/** One history version per status of peering etl_queue, `stepMs` apart, version 1 first. */
function history(statuses: (string | null)[], stepMs = 5 * MIN): HistoryVersion[] {
  return statuses.map((status, i) => ({
    region: 'cn-north-4',
    projectId: 'p1',
    id: 'c-1',
    name: 'orders-db',
    status: 'ACTIVE',
    destVpcId: null,
    destNetworkId: null,
    isPrivis: null,
    ipv6Enable: null,
    createdAt: null,
    hosts: [],
    routes: [],
    peerings:
      status === null
        ? []
        : [
            {
              queue: 'etl_queue',
              peerId: 'x',
              status,
              error: status === 'FAILED' ? 'boom' : null,
              updatedAt: null,
              creatingSince: null,
              extra: {},
            },
          ],
    elasticResourcePools: [],
    extra: {},
    version: i + 1,
    observedAt: new Date(START + i * stepMs).toISOString(),
    contentHash: `h${i}`,
    firstSeenAt: new Date(START).toISOString(),
    lastSeenAt: new Date(START + i * stepMs).toISOString(),
  }));
}

/** The event a version's transition produced, as diff.ts would make it. */
function eventAt(h: HistoryVersion[], version: number, type: ChangeEvent['type']): ChangeEvent {
  const v = h[version - 1];
  if (!v) throw new Error('no version');
  return event({
    id: eventId(type, 'c-1', 'queue', 'etl_queue', version),
    type,
    status: type === 'PEERING_FAILED' ? 'FAILED' : 'ACTIVE',
    previousStatus: type === 'PEERING_FAILED' ? 'ACTIVE' : 'FAILED',
    detectedAt: v.observedAt,
    connectionVersion: version,
    error: type === 'PEERING_FAILED' ? 'boom' : null,
  });
}

const FLAP = { threshold: 3, windowMs: 60 * MIN };

describe('flap suppression', () => {
  // v1 ACTIVE, then FAILED/ACTIVE alternating every 5 minutes: 5 failures in 50 minutes.
  const h = history([
    'ACTIVE',
    'FAILED',
    'ACTIVE',
    'FAILED',
    'ACTIVE',
    'FAILED',
    'ACTIVE',
    'FAILED',
    'ACTIVE',
    'FAILED',
    'ACTIVE',
  ]);
  const events = h
    .slice(1)
    .map((_, i) => eventAt(h, i + 2, i % 2 === 0 ? 'PEERING_FAILED' : 'PEERING_RECOVERED'));
  const decide = (policy: typeof FLAP | null) =>
    events.map((e) => decideFlap(e, peeringTimeline(h, e), policy).kind);

  it('posts the first N failures and recoveries, one flapping message, then nothing while flapping', () => {
    expect(decide(FLAP)).toEqual([
      'normal',
      'normal', // failure 1, recovery
      'normal',
      'normal', // failure 2
      'normal',
      'normal', // failure 3
      'flapping',
      'suppressed', // failure 4: over the threshold
      'suppressed',
      'suppressed', // failure 5
    ]);
  });
  it('sends everything when switched off', () => {
    expect(decide(null).every((k) => k === 'normal')).toBe(true);
  });
  it('is normal again once a window passes without exceeding the threshold', () => {
    // Four failures 5 minutes apart, then a failure 2 hours later.
    const statuses = [
      'ACTIVE',
      'FAILED',
      'ACTIVE',
      'FAILED',
      'ACTIVE',
      'FAILED',
      'ACTIVE',
      'FAILED',
      'ACTIVE',
    ];
    const hh = history(statuses);
    const late = [
      ...hh,
      ...history([...statuses, 'FAILED'])
        .slice(-1)
        .map((v) => ({ ...v, observedAt: new Date(START + 3 * 3_600_000).toISOString() })),
    ];
    const e = eventAt(late, late.length, 'PEERING_FAILED');
    expect(decideFlap(e, peeringTimeline(late, e), FLAP)).toEqual({ kind: 'normal' });
  });
  it('decides only on versions up to the event, so a later retry decides the same', () => {
    const e = events[2];
    if (!e) throw new Error('no event');
    expect(decideFlap(e, peeringTimeline(h, e), FLAP)).toEqual(
      decideFlap(e, peeringTimeline(h.slice(0, 4), e), FLAP),
    );
  });
  it('ignores connection deletions', () => {
    expect(decideFlap(event({ type: 'CONNECTION_DELETED' }), [], FLAP)).toEqual({ kind: 'normal' });
  });
});

describe('original failure of a recovery', () => {
  it('is the first version of the FAILED streak, with its deterministic event id', () => {
    const h = history(['ACTIVE', 'FAILED', 'FAILED', 'FAILED', 'ACTIVE']);
    const e = eventAt(h, 5, 'PEERING_RECOVERED');
    expect(originalFailure(e, peeringTimeline(h, e))).toEqual({
      id: eventId('PEERING_FAILED', 'c-1', 'queue', 'etl_queue', 2),
      at: h[1]?.observedAt,
    });
  });
  it('counts a peering first seen FAILED (version 1)', () => {
    const h = history(['FAILED', 'ACTIVE']);
    const e = eventAt(h, 2, 'PEERING_RECOVERED');
    expect(originalFailure(e, peeringTimeline(h, e))?.id).toBe(
      eventId('PEERING_FAILED', 'c-1', 'queue', 'etl_queue', 1),
    );
  });
  it('is unknown when the fetched history does not reach the start of the streak', () => {
    const h = history(['ACTIVE', 'FAILED', 'FAILED', 'ACTIVE']).slice(2);
    const e = eventAt(history(['ACTIVE', 'FAILED', 'FAILED', 'ACTIVE']), 4, 'PEERING_RECOVERED');
    expect(originalFailure(e, peeringTimeline(h, e))).toBeNull();
    expect(historyIsEnough(e, [...h].reverse(), null)).toBe(false);
  });
  it('history is enough once it covers the flap window and the streak', () => {
    const h = history(
      [
        'ACTIVE',
        'FAILED',
        'ACTIVE',
        'ACTIVE',
        'ACTIVE',
        'ACTIVE',
        'ACTIVE',
        'ACTIVE',
        'ACTIVE',
        'ACTIVE',
        'ACTIVE',
        'ACTIVE',
        'ACTIVE',
        'ACTIVE',
        'FAILED',
      ],
      10 * MIN,
    );
    const e = eventAt(h, 15, 'PEERING_FAILED');
    const desc = [...h].reverse();
    expect(historyIsEnough(e, desc.slice(0, 3), FLAP)).toBe(false);
    expect(historyIsEnough(e, desc.slice(0, 8), FLAP)).toBe(true);
  });
});

describe('messages', () => {
  const tpl = { consoleUrlTemplate: OPTIONS.consoleUrlTemplate };
  it('say what happened, with names, region, project, error, time and console link', () => {
    const m = eventMessage(event(), tpl);
    expect(m.title).toBe('Peering failed: orders-db ↔ etl_queue');
    expect(m.facts).toEqual([
      { label: 'Connection', value: 'orders-db (c-1)' },
      { label: 'Queue', value: 'etl_queue' },
      { label: 'Region', value: 'cn-north-4' },
      { label: 'Project', value: 'p1' },
      { label: 'Status', value: 'ACTIVE → FAILED' },
      // "route table conflict" is a known cause (lib/model/hints.ts): the hint's three facts.
      { label: 'Likely cause', value: expect.stringContaining('route or network ACL') },
      { label: 'Next step', value: expect.any(String) },
      { label: 'DLI FAQ', value: 'https://support.huaweicloud.com/intl/en-us/dli_faq/dli_03_0179.html' },
      { label: 'Detected at', value: '2026-11-28T10:00:00.000Z' },
      { label: 'Event', value: 'evt_0000000000000000000000000a' },
    ]);
    expect(m.error).toBe('DLI.0001: route table conflict');
    expect(m.link).toEqual({
      label: 'Open in Huawei Cloud console',
      url: 'https://console.huaweicloud.com/dli/?region=cn-north-4#/main/enhancedConnections',
    });
  });
  it('a recovery names the alert it closes', () => {
    const m = eventMessage(
      event({ type: 'PEERING_RECOVERED', status: 'ACTIVE', previousStatus: 'FAILED', error: null }),
      { ...tpl, original: { id: 'evt_orig', at: '2026-11-28T09:00:00.000Z' } },
    );
    expect(m.tone).toBe('recovery');
    expect(m.note).toBe('Recovers the failure alert evt_orig detected at 2026-11-28T09:00:00.000Z.');
    expect(eventMessage(event({ type: 'PEERING_RECOVERED' }), tpl).note).toMatch(/not in the stored history/);
  });
  it('a deletion and an elastic resource pool read right', () => {
    expect(
      eventMessage(
        event({ type: 'CONNECTION_DELETED', queue: null, resourceKind: null, connectionName: null }),
        tpl,
      ).title,
    ).toBe('Connection deleted: c-1');
    expect(
      eventMessage(event({ resourceKind: 'elasticResourcePool', queue: 'pool1' }), tpl).facts[1],
    ).toEqual({ label: 'Elastic resource pool', value: 'pool1' });
  });
  it('the console link is a template filled with URL-encoded values', () => {
    expect(
      consoleUrl(
        'https://c.example/{region}/{projectId}/{connectionId}?n={connectionName}',
        event({ connectionName: 'a&b' }),
      ),
    ).toBe('https://c.example/cn-north-4/p1/c-1?n=a%26b');
  });
  it('flapping and digest messages', () => {
    expect(flappingMessage(event(), { ...tpl, failures: 4, windowMs: 3_600_000 })).toMatchObject({
      kind: 'flapping',
      key: event().id,
      summary: expect.stringMatching(/failed 4 times in 60 minutes/),
    });
    const d = digestMessage([event({ id: 'b', type: 'PEERING_RECOVERED' }), event({ id: 'a' })], {
      ...tpl,
      channel: 'ops',
    });
    expect(d.key).toBe(digestKey('ops', ['a', 'b']));
    expect(d.key).toBe(digestKey('ops', ['b', 'a']));
    expect(d.key).not.toBe(digestKey('other', ['a', 'b']));
    expect(d.summary).toBe('1 peering failures, 1 recoveries in cn-north-4/p1.');
    expect(d.lines).toHaveLength(2);
  });
});

describe('planning a channel', () => {
  const opts: NotifyOptions = { ...OPTIONS, digestThreshold: 10 };
  const many = Array.from({ length: 12 }, (_, i) => event({ id: `e${String(i).padStart(2, '0')}` }));
  const none = new Map();

  it('digests when a batch has more than M events for the channel', () => {
    const plan = planChannel(channel(), many, none, none, opts, 'stream');
    expect(plan.sends).toHaveLength(1);
    expect(plan.sends[0]?.via).toBe('digest');
    expect(plan.sends[0]?.eventIds).toHaveLength(12);
  });
  it('sends one by one at or under the threshold, or when the channel turns digests off', () => {
    expect(planChannel(channel(), many.slice(0, 10), none, none, opts, 'stream').sends).toHaveLength(10);
    expect(planChannel(channel({ digestThreshold: 0 }), many, none, none, opts, 'stream').sends).toHaveLength(
      12,
    );
    expect(
      planChannel(channel({ digestThreshold: 3 }), many.slice(0, 4), none, none, opts, 'stream').sends,
    ).toHaveLength(1);
  });
  it("routes: only the channel's targets and events", () => {
    const mixed = [
      event({ id: 'a' }),
      event({ id: 'b', region: 'ap-southeast-1' }),
      event({ id: 'c', type: 'CONNECTION_DELETED' }),
    ];
    const plan = planChannel(
      channel({ targets: ['cn-north-4:*'], events: ['PEERING_FAILED'] }),
      mixed,
      none,
      none,
      opts,
      'stream',
    );
    expect(plan.sends.map((s) => s.eventIds)).toEqual([['a']]);
  });
  it('skips what is recorded as done, and parked channels in stream mode', () => {
    const at = 'x';
    const state = new Map([
      ['e00', { ops: { status: 'sent' as const, at, attempts: 1 } }],
      ['e01', { ops: { status: 'failed' as const, at, attempts: 3 } }],
    ]);
    expect(
      planChannel(channel(), many.slice(0, 3), state, none, opts, 'stream').sends.map((s) => s.eventIds[0]),
    ).toEqual(['e02']);
    expect(
      planChannel(channel(), many.slice(0, 3), state, none, opts, 'redeliver').sends.map(
        (s) => s.eventIds[0],
      ),
    ).toEqual(['e01', 'e02']);
  });
  it('flapping: one flapping message, suppressed events recorded, not sent', () => {
    const contexts = new Map<string, EventContext>([
      ['e00', { decision: { kind: 'flapping', failures: 4 }, original: null }],
      ['e01', { decision: { kind: 'suppressed', failures: 5 }, original: null }],
    ]);
    const plan = planChannel(channel(), many.slice(0, 2), none, contexts, opts, 'stream');
    expect(plan.sends.map((s) => [s.via, s.eventIds])).toEqual([['flapping', ['e00']]]);
    expect(plan.suppressed).toEqual(['e01']);
  });
});
