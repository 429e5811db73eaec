import { describe, expect, it } from 'vitest';
import type { HeldDeletion } from '../../lib/model/change.ts';
import { DEFAULT_FUSE } from '../../lib/model/fuse-policy.ts';
import { decideDeletions, type FuseInput, heldEvent, trips } from '../../lib/sync/fuse.ts';

const target = { region: 'cn-north-4', projectId: 'p1' };
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `c${from + i}`);
const vanished = (list: string[]) => list.map((id) => ({ id, name: `n_${id}` }));
const held = (
  id: string,
  agreeingSweeps = 1,
  at = '2026-01-01T00:00:00.000Z',
  runId = 'run-0',
): HeldDeletion => ({
  ...target,
  connectionId: id,
  connectionName: `n_${id}`,
  heldAt: at,
  runId,
  agreeingSweeps,
});
const input = (over: Partial<FuseInput>): FuseInput => ({
  target,
  live: 100,
  vanished: [],
  held: [],
  mayDelete: true,
  seen: new Set(),
  policy: DEFAULT_FUSE,
  now: '2026-01-02T00:00:00.000Z',
  runId: 'run-1',
  ...over,
});

describe('trips: more than the share AND more than the count', () => {
  it.each([
    // vanished, live, tripped
    [5, 10, false], // 50 % but only 5
    [6, 10, true],
    [6, 30, false], // exactly 20 %: not more
    [7, 30, true],
    [20, 100, false],
    [21, 100, true],
    [0, 0, false],
    [6, 0, true], // nothing was live (a stale index): any count above the minimum trips
  ])('%i of %i live → %s', (v, live, expected) => {
    expect(trips(v, live, DEFAULT_FUSE)).toBe(expected);
  });

  it('uses integer arithmetic: 21 % of 100 trips at 20 %, 1 of 5 at 20 % does not', () => {
    expect(trips(21, 100, { ...DEFAULT_FUSE, minCount: 0 })).toBe(true);
    expect(trips(1, 5, { ...DEFAULT_FUSE, minCount: 0 })).toBe(false);
  });

  it('100 % never trips; 0 % trips on any count above the minimum', () => {
    expect(trips(1000, 1000, { ...DEFAULT_FUSE, sharePercent: 100 })).toBe(false);
    expect(trips(6, 1_000_000, { ...DEFAULT_FUSE, sharePercent: 0 })).toBe(true);
  });
});

describe('decideDeletions', () => {
  it('below the threshold deletes every vanished connection as of this sweep, holds nothing', () => {
    const d = decideDeletions(input({ vanished: vanished(ids(5)) }));
    expect(d.apply).toEqual(ids(5).map((id) => ({ id, heldAt: '2026-01-02T00:00:00.000Z', runId: 'run-1' })));
    expect(d).toMatchObject({ hold: [], release: [], newHold: false, tripped: false });
  });

  it('above the threshold holds every vanished connection and starts a hold', () => {
    const d = decideDeletions(input({ vanished: vanished(ids(21)) }));
    expect(d.apply).toEqual([]);
    expect(d.hold).toHaveLength(21);
    expect(d.hold[0]).toEqual({
      ...target,
      connectionId: 'c0',
      connectionName: 'n_c0',
      heldAt: '2026-01-02T00:00:00.000Z',
      runId: 'run-1',
      agreeingSweeps: 1,
    });
    expect(d).toMatchObject({ release: [], newHold: true, tripped: true });
  });

  it('a continuing hold keeps heldAt and runId, counts one more agreeing sweep, and is not news', () => {
    const before = ids(21).map((id) => held(id, 2));
    const d = decideDeletions(input({ vanished: vanished(ids(21)), held: before }));
    expect(d.hold.map((h) => [h.heldAt, h.runId, h.agreeingSweeps])).toEqual(
      ids(21).map(() => ['2026-01-01T00:00:00.000Z', 'run-0', 3]),
    );
    expect(d.newHold).toBe(false);
  });

  it('a connection that came back is released; the rest stay held', () => {
    const before = ids(25).map((id) => held(id));
    const d = decideDeletions(input({ vanished: vanished(ids(22)), held: before }));
    expect(d.release).toEqual(['c22', 'c23', 'c24']);
    expect(d.hold).toHaveLength(22);
    expect(d.newHold).toBe(false);
  });

  it('connections joining a continuing hold do not post a second message', () => {
    const d = decideDeletions(input({ vanished: vanished(ids(30)), held: ids(21).map((id) => held(id)) }));
    expect(d.hold).toHaveLength(30);
    expect(d.newHold).toBe(false);
  });

  it('a new hold after every held connection came back is news again', () => {
    const d = decideDeletions(
      input({ vanished: vanished(ids(21, 100)), held: ids(21).map((id) => held(id)) }),
    );
    expect(d.release).toEqual(ids(21));
    expect(d.newHold).toBe(true);
  });

  it('when what is left falls below the threshold, it is deleted as of the sweep that first held it', () => {
    const d = decideDeletions(input({ vanished: vanished(ids(3)), held: ids(21).map((id) => held(id)) }));
    expect(d.apply).toEqual(ids(3).map((id) => ({ id, heldAt: '2026-01-01T00:00:00.000Z', runId: 'run-0' })));
    expect(new Set(d.release)).toEqual(new Set(ids(21)));
    expect(d.hold).toEqual([]);
  });

  it('opt-in: held deletions apply once N consecutive sweeps agree (this one included)', () => {
    const policy = { ...DEFAULT_FUSE, confirmAfterSweeps: 3 };
    const before = [...ids(10).map((id) => held(id, 2)), ...ids(11, 10).map((id) => held(id, 1))];
    const d = decideDeletions(input({ vanished: vanished(ids(21)), held: before, policy }));
    expect(d.apply.map((a) => a.id)).toEqual(ids(10));
    expect(d.apply[0]).toMatchObject({ heldAt: '2026-01-01T00:00:00.000Z', runId: 'run-0' });
    expect(d.release).toEqual(ids(10));
    expect(d.hold.map((h) => h.agreeingSweeps)).toEqual(ids(11).map(() => 2));
  });

  it('opt-out (0): held deletions never apply by sweeps alone', () => {
    const d = decideDeletions(
      input({ vanished: vanished(ids(21)), held: ids(21).map((id) => held(id, 999)) }),
    );
    expect(d.apply).toEqual([]);
    expect(d.hold).toHaveLength(21);
  });

  it('a sweep that may not prove absence keeps what is held, releasing only what it saw', () => {
    const before = ids(21).map((id) => held(id, 2));
    const d = decideDeletions(input({ mayDelete: false, held: before, seen: new Set(['c0', 'c5', 'x']) }));
    expect(d).toEqual({ apply: [], hold: [], release: ['c0', 'c5'], newHold: false, tripped: false });
  });
});

describe('heldEvent', () => {
  it('is a target-level event whose id depends on the target and the run that started the hold', () => {
    const e = heldEvent(target, 21, { now: '2026-01-02T00:00:00.000Z', runId: 'run-1' });
    expect(e).toMatchObject({
      type: 'DELETIONS_HELD',
      connectionId: null,
      connectionName: null,
      connectionVersion: null,
      queue: null,
      heldDeletions: 21,
      status: 'HELD',
    });
    expect(heldEvent(target, 30, { now: 'later', runId: 'run-1' }).id).toBe(e.id);
    expect(heldEvent(target, 21, { now: e.detectedAt, runId: 'run-2' }).id).not.toBe(e.id);
    expect(heldEvent({ ...target, projectId: 'p2' }, 21, { now: e.detectedAt, runId: 'run-1' }).id).not.toBe(
      e.id,
    );
  });
});
