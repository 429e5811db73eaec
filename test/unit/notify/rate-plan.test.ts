/** Per-platform limits in the plan: capacity of a bucket, digest before throttling, paging never digests. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../../../lib/notify/channels/index.ts';
import type { ChannelConfig } from '../../../lib/notify/config.ts';
import { capacity, take } from '../../../lib/notify/pacing.ts';
import { type ChannelLimits, planChannel } from '../../../lib/notify/plan.ts';
import type { DeliveryMap } from '../../../lib/notify/record.ts';
import { channel, event, OPTIONS } from './fixtures.ts';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const events = (n: number) =>
  Array.from({ length: n }, (_, i) => event({ id: `evt_${String(i).padStart(26, '0')}`, queue: `q${i}` }));
const plan = (c: ChannelConfig, n: number, limits: ChannelLimits, state = new Map<string, DeliveryMap>()) =>
  planChannel(c, events(n), state, new Map(), OPTIONS, 'stream', limits);
const chat = (sendable: number): ChannelLimits => ({ sendable, paging: false });

describe('capacity', () => {
  const pace = DRIVERS.dingtalk.pace;
  it('a full bucket sends its burst now plus the refill of the horizon, under the platform limit', () => {
    expect(capacity(undefined, pace, NOW, 60_000)).toBe(20);
    expect(capacity(undefined, pace, NOW, 0)).toBe(2);
    expect(capacity(undefined, pace, NOW, 25_000)).toBe(9);
  });
  it('a bucket whose refill is reserved into the future refills only from then', () => {
    // A take from an empty bucket waits 3.334 s for its token, spent on arrival.
    const { bucket, waitMs } = take({ tokens: 0, at: NOW }, pace, NOW);
    expect(waitMs).toBe(3334);
    expect(capacity(bucket, pace, NOW, 3334)).toBe(0);
    expect(capacity(bucket, pace, NOW, 3334 + 10_000)).toBe(3);
  });
  it('every platform paces under its documented per-minute limit', () => {
    const limit = {
      dingtalk: 20,
      wecom: 20,
      feishu: 100,
      slack: 60,
      googlechat: 60,
      discord: 30,
      pagerduty: 120,
      jsm: 60,
    };
    for (const [type, max] of Object.entries(limit)) {
      const p = DRIVERS[type as keyof typeof limit].pace;
      expect(p.burst + p.perMinute, type).toBeLessThanOrEqual(max);
    }
    // Feishu also allows only 5 a second: its burst is at most that.
    expect(DRIVERS.feishu.pace.burst).toBeLessThanOrEqual(5);
  });
});

describe('plan against the platform limit', () => {
  const robot = channel({ type: 'dingtalk', digestThreshold: 100 });
  it('a batch the bucket cannot send before the deadline becomes one digest', () => {
    const p = plan(robot, 10, chat(9));
    expect(p.sends.map((s) => s.via)).toEqual(['digest']);
    expect(p.sends[0]?.eventIds).toHaveLength(10);
    expect(plan(robot, 9, chat(9)).sends.map((s) => s.via)).toEqual(Array(9).fill('event'));
  });
  it('one event is sent as itself even with an empty bucket (a digest of one says less)', () => {
    expect(plan(robot, 1, chat(0)).sends.map((s) => s.via)).toEqual(['event']);
  });
  it('digestThreshold 0 (never digest) is paced instead, whatever the limit', () => {
    expect(plan({ ...robot, digestThreshold: 0 }, 10, chat(0)).sends.map((s) => s.via)).toEqual(
      Array(10).fill('event'),
    );
  });
  it('a paging channel never digests, neither over its threshold nor over its bucket', () => {
    const pd = channel({ type: 'pagerduty', digestThreshold: 2, secret: 'k' });
    const p = plan(pd, 12, { sendable: 3, paging: true });
    expect(p.sends.map((s) => s.via)).toEqual(Array(12).fill('event'));
    expect(p.sends.map((s) => s.message.action)).toEqual(Array(12).fill('trigger'));
  });
});

describe('property: no event is ever sent twice to a channel', () => {
  it('over retried, overlapping batches with any limits, each routed event is planned exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 25 }),
        fc.array(fc.tuple(fc.nat(24), fc.integer({ min: 1, max: 12 }), fc.nat(25), fc.boolean()), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.constantFrom<ChannelConfig['type']>('dingtalk', 'slack', 'pagerduty', 'jsm'),
        fc.integer({ min: 0, max: 12 }),
        (n, batches, type, threshold) => {
          const all = events(n);
          const c = channel({ type, digestThreshold: threshold });
          const paging = DRIVERS[type].paging === true;
          const state = new Map<string, DeliveryMap>();
          const planned = new Map<string, number>();
          // Stream batches overlap (a retried batch hands events back); a final batch covers all.
          for (const [start, len, sendable, sent] of [...batches, [0, n, 100, true] as const]) {
            const batch = all.slice(start % n, (start % n) + len);
            const p = planChannel(c, batch, state, new Map(), OPTIONS, 'stream', { sendable, paging });
            for (const s of p.sends) {
              if (paging) expect(s.via).not.toBe('digest');
              // A send that failed leaves its events pending; a sent one records them.
              if (!sent) continue;
              for (const id of s.eventIds) {
                planned.set(id, (planned.get(id) ?? 0) + 1);
                state.set(id, { [c.name]: { status: 'sent', at: 'x', attempts: 1 } });
              }
            }
          }
          expect([...planned.values()].every((k) => k === 1)).toBe(true);
          expect([...planned.keys()].sort()).toEqual(all.map((e) => e.id).sort());
        },
      ),
      { numRuns: 150 },
    );
  });
});
