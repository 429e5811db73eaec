/**
 * Stuck peerings (lib/sync/stuck.ts, through the diff): the threshold's edges, exactly once across
 * runs, the recovery of a stuck peering (and none for one never announced), FAILED after STUCK, the
 * setting off, the candidate selection that reads an unchanged connection only when it may be stuck.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stuckEventId } from '../../lib/model/event-id.ts';
import type { ChangeEvent, Connection, ConnectionContent } from '../../lib/model/schemas.ts';
import { stuckCheckFrom } from '../../lib/model/stuck-marker.ts';
import { diffTarget, selectCandidates } from '../../lib/sync/diff.ts';
import { contentHash, normalizeConnection } from '../../lib/sync/normalize.ts';
import { DEFAULT_STUCK_AFTER_MS, isStuckDue, type StuckAfterMs } from '../../lib/sync/stuck.ts';

const target = { region: 'cn-north-4', projectId: 'p1' };
const T0 = Date.UTC(2026, 0, 1, 8);
const at = (ms: number) => new Date(T0 + ms).toISOString();
const MIN = 60_000;

function norm(queues: { name: string; status: string; err_msg?: string }[]): ConnectionContent {
  const r = normalizeConnection(target, {
    id: 'c1',
    name: 'conn',
    status: 'ACTIVE',
    available_queue_info: queues,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.content;
}

/** Successive syncs at the given offsets (ms after T0), each seeing `answers[i]`. */
function syncs(steps: { atMs: number; content: ConnectionContent }[], stuckAfterMs: StuckAfterMs = 15 * MIN) {
  let state: Connection | null = null;
  return steps.map(({ atMs, content }, i) => {
    const { changes } = diffTarget({
      target,
      stored: new Map(state ? [[state.id, state]] : []),
      observed: [{ content, raw: {} }],
      protectedIds: new Set(),
      mayDelete: true,
      now: at(atMs),
      runId: `run-${i}`,
      stuckAfterMs,
    });
    const change = changes[0];
    if (change) state = change.next;
    return { written: change !== undefined, events: change?.events ?? [], state: state as Connection | null };
  });
}

const creating = norm([{ name: 'q1', status: 'CREATING' }]);
const active = norm([{ name: 'q1', status: 'ACTIVE' }]);
const failed = norm([{ name: 'q1', status: 'FAILED', err_msg: 'the subnet could not be found' }]);
const types = (events: ChangeEvent[]) => events.map((e) => e.type);

describe('PEERING_STUCK', () => {
  it('is emitted at the threshold, not a millisecond before (CREATING since the first sync)', () => {
    const before = syncs([
      { atMs: 0, content: creating },
      { atMs: 15 * MIN - 1, content: creating },
    ]);
    expect(before[1]).toMatchObject({ written: false, events: [] });
    const onTime = syncs([
      { atMs: 0, content: creating },
      { atMs: 15 * MIN, content: creating },
    ]);
    expect(onTime[1]?.written).toBe(true);
    expect(onTime[1]?.events).toEqual([
      expect.objectContaining({
        type: 'PEERING_STUCK',
        id: stuckEventId('c1', 'queue', 'q1', at(0)),
        queue: 'q1',
        peeringKey: 'q1',
        previousStatus: 'CREATING',
        status: 'CREATING',
        creatingSince: at(0),
        detectedAt: at(15 * MIN),
      }),
    ]);
    // The mark that makes it once: stuckAt on the peering, and the index no longer points at it.
    expect(onTime[1]?.state?.peerings[0]).toMatchObject({ creatingSince: at(0), stuckAt: at(15 * MIN) });
    expect(stuckCheckFrom(onTime[1]?.state as Connection)).toBeNull();
  });

  it('is emitted once per CREATING spell however many runs follow, and writes nothing after', () => {
    const steps = syncs([0, 5, 20, 25, 60, 600].map((m) => ({ atMs: m * MIN, content: creating })));
    expect(steps.map((s) => s.written)).toEqual([true, false, true, false, false, false]);
    expect(steps.flatMap((s) => types(s.events))).toEqual(['PEERING_STUCK']);
  });

  it('is not repeated when another peering of the connection changes while it stays stuck', () => {
    const two = (other: string) =>
      norm([
        { name: 'q1', status: 'CREATING' },
        { name: 'q2', status: other },
      ]);
    const steps = syncs([
      { atMs: 0, content: two('ACTIVE') },
      { atMs: 16 * MIN, content: two('ACTIVE') },
      { atMs: 20 * MIN, content: two('FAILED') },
      { atMs: 25 * MIN, content: two('ACTIVE') },
    ]);
    expect(steps.map((s) => s.written)).toEqual([true, true, true, true]);
    expect(steps.flatMap((s) => types(s.events))).toEqual([
      'PEERING_STUCK',
      'PEERING_FAILED',
      'PEERING_RECOVERED',
    ]);
    expect(steps[3]?.state?.peerings[0]).toMatchObject({ creatingSince: at(0), stuckAt: at(16 * MIN) });
  });

  it('recovers like a failure: ACTIVE after STUCK is one PEERING_RECOVERED from CREATING', () => {
    const [, stuck, recovered, again] = syncs([
      { atMs: 0, content: creating },
      { atMs: 20 * MIN, content: creating },
      { atMs: 30 * MIN, content: active },
      { atMs: 40 * MIN, content: active },
    ]);
    expect(types(stuck?.events ?? [])).toEqual(['PEERING_STUCK']);
    expect(recovered?.events).toEqual([
      expect.objectContaining({
        type: 'PEERING_RECOVERED',
        previousStatus: 'CREATING',
        status: 'ACTIVE',
        creatingSince: at(0),
        peeringKey: 'q1',
      }),
    ]);
    expect(recovered?.state?.peerings[0]).toMatchObject({ creatingSince: null, stuckAt: null });
    expect(again?.events).toEqual([]);
  });

  it('a peering that becomes ACTIVE before the threshold recovers from nothing: no event', () => {
    const steps = syncs([
      { atMs: 0, content: creating },
      { atMs: 14 * MIN, content: creating },
      { atMs: 30 * MIN, content: active },
    ]);
    expect(steps.flatMap((s) => s.events)).toEqual([]);
  });

  it('CREATING → FAILED after STUCK sends the FAILED as usual (and no recovery)', () => {
    const steps = syncs([
      { atMs: 0, content: creating },
      { atMs: 16 * MIN, content: creating },
      { atMs: 20 * MIN, content: failed },
    ]);
    expect(steps.flatMap((s) => types(s.events))).toEqual(['PEERING_STUCK', 'PEERING_FAILED']);
    expect(steps[2]?.events[0]).toMatchObject({
      previousStatus: 'CREATING',
      error: 'the subnet could not be found',
    });
  });

  it('a new CREATING spell (ACTIVE in between) can be stuck again, under a new id', () => {
    const steps = syncs([
      { atMs: 0, content: creating },
      { atMs: 16 * MIN, content: creating },
      { atMs: 20 * MIN, content: active },
      { atMs: 30 * MIN, content: creating },
      { atMs: 46 * MIN, content: creating },
    ]);
    const stuck = steps.flatMap((s) => s.events).filter((e) => e.type === 'PEERING_STUCK');
    expect(stuck.map((e) => e.creatingSince)).toEqual([at(0), at(30 * MIN)]);
    expect(new Set(stuck.map((e) => e.id)).size).toBe(2);
  });

  it('off (null) or 0: no STUCK, nothing written for a CREATING peering however old', () => {
    for (const off of [null, 0]) {
      const steps = syncs(
        [0, 20, 600].map((m) => ({ atMs: m * MIN, content: creating })),
        off,
      );
      expect(steps.map((s) => s.written)).toEqual([true, false, false]);
      expect(steps.flatMap((s) => s.events)).toEqual([]);
    }
  });

  it('property: one STUCK per spell iff some run falls at or after the threshold', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 120 }), { maxLength: 8 }), (offsets) => {
        const sorted = [...offsets].sort((a, b) => a - b);
        const steps = syncs([0, ...sorted].map((m) => ({ atMs: m * MIN, content: creating })));
        const stuck = steps.flatMap((s) => s.events).filter((e) => e.type === 'PEERING_STUCK');
        expect(stuck.length).toBe(sorted.some((m) => m >= 15) ? 1 : 0);
        // Writes: the first sync and at most the crossing run.
        expect(steps.filter((s) => s.written).length).toBe(1 + stuck.length);
      }),
      { numRuns: 30 },
    );
  });
});

describe('the stored index and candidate selection', () => {
  const stored = (content: ConnectionContent, checkFrom: string | null) =>
    new Map([['c1', { contentHash: contentHash(content), status: 'ACTIVE', stuckCheckFrom: checkFrom }]]);
  const seen = [{ id: 'c1', hash: contentHash(creating) }];

  it('reads an unchanged connection only once its stuckCheckFrom plus the threshold has passed', () => {
    const pick = (nowMs: number, afterMs: StuckAfterMs, checkFrom: string | null = at(0)) =>
      selectCandidates(stored(creating, checkFrom), seen, new Set(), true, { now: at(nowMs), afterMs });
    expect(pick(14 * MIN, 15 * MIN)).toMatchObject({ changed: [], unchanged: 1 });
    expect(pick(15 * MIN, 15 * MIN)).toMatchObject({ changed: seen, unchanged: 0 });
    expect(pick(15 * MIN, null)).toMatchObject({ changed: [], unchanged: 1 });
    expect(pick(600 * MIN, 15 * MIN, null)).toMatchObject({ changed: [], unchanged: 1 });
  });

  it('stuckCheckFrom is the oldest CREATING peering not yet announced', () => {
    const c = norm([
      { name: 'a', status: 'CREATING' },
      { name: 'b', status: 'CREATING' },
      { name: 'c', status: 'ACTIVE' },
    ]);
    const withTimes = {
      ...c,
      peerings: c.peerings.map((p, i) => ({
        ...p,
        creatingSince: p.status === 'CREATING' ? at(i * MIN) : null,
        stuckAt: i === 0 ? at(20 * MIN) : null,
      })),
    };
    expect(stuckCheckFrom(withTimes)).toBe(at(MIN));
    expect(stuckCheckFrom({ ...withTimes, status: 'DELETED' })).toBeNull();
    expect(stuckCheckFrom(active)).toBeNull();
  });

  it('isStuckDue: the default is 15 minutes; missing times are never due', () => {
    expect(DEFAULT_STUCK_AFTER_MS).toBe(15 * MIN);
    expect(isStuckDue(undefined, at(0), 1)).toBe(false);
    expect(isStuckDue(at(0), at(MIN), -1)).toBe(false);
  });
});
