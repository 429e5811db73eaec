import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AvailabilityRow,
  availabilityRows,
  byConnection,
  byTarget,
  type ConnectionHistory,
  connectionAvailability,
  epochSeconds,
  summarize,
  type VersionView,
} from '../../lib/report/availability.ts';

const T0 = '2026-11-01T00:00:00.000Z';
const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const W = { from: at(0), to: at(10_000) };

let version = 0;
/** A version at T0 + `s` seconds with queue peerings `{ name: status }`. */
const v = (s: number, peerings: Record<string, string>, status = 'ACTIVE'): VersionView => ({
  observedAt: at(s),
  version: ++version,
  name: 'orders_db',
  status,
  peerings: Object.entries(peerings).map(([queue, st]) => ({
    kind: 'queue' as const,
    key: queue,
    queue,
    peerId: `peer-${queue}`,
    status: st,
  })),
});
const conn = (versions: VersionView[], id = 'c1'): ConnectionHistory => ({
  region: 'cn-north-4',
  projectId: 'p1',
  connectionId: id,
  versions,
});
const row = (c: ConnectionHistory, w = W, key = 'q1'): AvailabilityRow => {
  const r = connectionAvailability(c, w).find((x) => x.row.peeringKey === key);
  if (!r) throw new Error(`no row for ${key}`);
  return r.row;
};

describe('availability: hand-computed fixture, exact to the second', () => {
  // Window [0, 10000). q1: ACTIVE from -500 (in force at the start), FAILED at 1000, ACTIVE at 1600
  // (recovered after 600 s), FAILED at 4000, CREATING at 4200, ACTIVE at 4500 (recovered after
  // 500 s), FAILED at 9000 (not recovered, 1000 s to the window's end). q2 appears at 2000 CREATING,
  // ACTIVE at 2300, gone from the list at 7000 (absent after).
  const history = conn([
    v(-500, { q1: 'ACTIVE' }),
    v(1000, { q1: 'FAILED' }),
    v(1600, { q1: 'ACTIVE' }),
    v(2000, { q1: 'ACTIVE', q2: 'CREATING' }),
    v(2300, { q1: 'ACTIVE', q2: 'ACTIVE' }),
    v(4000, { q1: 'FAILED', q2: 'ACTIVE' }),
    v(4200, { q1: 'CREATING', q2: 'ACTIVE' }),
    v(4500, { q1: 'ACTIVE', q2: 'ACTIVE' }),
    v(7000, { q1: 'ACTIVE' }),
    v(9000, { q1: 'FAILED' }),
    v(12_000, { q1: 'ACTIVE' }), // after the window: changes nothing in it
  ]);

  it('counts each share, failures, MTTR and the longest outage of q1', () => {
    const r = row(history);
    expect(r.seconds).toEqual({ active: 7900, creating: 300, failed: 1800, absent: 0 });
    expect(r.availability).toBe(0.79);
    expect(r.failures).toBe(3);
    expect(r.recoveries).toBe(2);
    expect(r.mttrSeconds).toBe((600 + 500) / 2);
    expect(r.longestOutageSeconds).toBe(1000);
    expect(r.connectionName).toBe('orders_db');
    expect(r.queue).toBe('q1');
  });

  it('counts a peering as absent before it appears and after it is gone', () => {
    const r = row(history, W, 'q2');
    expect(r.seconds).toEqual({ active: 4700, creating: 300, failed: 0, absent: 5000 });
    expect(r.availability).toBe(4700 / 5000);
    expect(r.failures).toBe(0);
    expect(r.mttrSeconds).toBeNull();
    expect(r.longestOutageSeconds).toBe(0);
  });

  it('clips an outage that began before the window, and does not count it as a failure in it', () => {
    const r = row(history, { from: at(1200), to: at(2000) });
    expect(r.seconds).toEqual({ active: 400, creating: 0, failed: 400, absent: 0 });
    expect(r.failures).toBe(0);
    expect(r.recoveries).toBe(0);
    expect(r.mttrSeconds).toBeNull();
    expect(r.longestOutageSeconds).toBe(400);
  });

  it('counts a failure that recovers after the window, without an MTTR', () => {
    const r = row(history, { from: at(900), to: at(1500) });
    expect(r.failures).toBe(1);
    expect(r.recoveries).toBe(0);
    expect(r.mttrSeconds).toBeNull();
  });

  it('counts a transition exactly at the window start as inside it, one at its end as outside', () => {
    expect(row(history, { from: at(1000), to: at(1600) }).failures).toBe(1);
    expect(row(history, { from: at(0), to: at(1000) }).failures).toBe(0);
  });

  it('drops sub-second parts of every instant', () => {
    const r = row(conn([{ ...v(0, { q1: 'FAILED' }), observedAt: '2026-11-01T00:00:00.900Z' }]), {
      from: '2026-11-01T00:00:00.999Z',
      to: '2026-11-01T00:00:10.001Z',
    });
    expect(r.seconds).toEqual({ active: 0, creating: 0, failed: 10, absent: 0 });
  });

  it('makes a DELETED connection absent, and a return of the peering not a recovery', () => {
    const c = conn([v(0, { q1: 'FAILED' }), v(100, { q1: 'FAILED' }, 'DELETED'), v(300, { q1: 'ACTIVE' })]);
    const r = row(c, { from: at(0), to: at(400) });
    expect(r.seconds).toEqual({ active: 100, creating: 0, failed: 100, absent: 200 });
    expect(r.failures).toBe(1);
    expect(r.recoveries).toBe(0);
  });

  it('counts an unknown status in creating and says so in otherSeconds', () => {
    const r = row(conn([v(0, { q1: 'UNKNOWN' }), v(60, { q1: 'ACTIVE' })]), { from: at(0), to: at(100) });
    expect(r.seconds).toEqual({ active: 40, creating: 60, failed: 0, absent: 0 });
    expect(r.otherSeconds).toBe(60);
  });

  it('leaves out a peering that never existed in the window', () => {
    const c = conn([v(0, { q1: 'ACTIVE' }), v(100, {}, 'DELETED')]);
    expect(connectionAvailability(c, { from: at(200), to: at(300) })).toEqual([]);
  });

  it('rolls up per connection and per target (peering-seconds, MTTR weighted by recoveries)', () => {
    const rows = availabilityRows([history, conn([v(0, { q9: 'ACTIVE' })], 'c2')], W);
    const [c1] = byConnection(rows);
    expect(c1?.peerings).toBe(2);
    expect(c1?.seconds).toEqual({ active: 12_600, creating: 600, failed: 1800, absent: 5000 });
    expect(c1?.mttrSeconds).toBe(550);
    const [t] = byTarget(rows);
    expect(t?.connections).toBe(2);
    expect(t?.peerings).toBe(3);
    expect(t?.failures).toBe(3);
    expect(t?.availability).toBe(22_600 / 25_000);
    const { region: _r, projectId: _p, ...figures } = t ?? { region: '', projectId: '' };
    expect(summarize(rows)).toEqual(figures);
  });
});

// Random histories: a few connections, versions at random seconds with random peering statuses.
const STATUSES = ['ACTIVE', 'CREATING', 'FAILED', 'UNKNOWN'] as const;
const versionArb = fc.record({
  s: fc.integer({ min: -200, max: 1200 }),
  deleted: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  peerings: fc.dictionary(fc.constantFrom('q1', 'q2', 'q3'), fc.constantFrom(...STATUSES), { maxKeys: 3 }),
});
const historiesArb = fc
  .array(fc.array(versionArb, { maxLength: 12 }), { minLength: 1, maxLength: 3 })
  .map((cs) =>
    cs.map((vs, i) =>
      conn(
        vs.map((x) => v(x.s, x.peerings, x.deleted ? 'DELETED' : 'ACTIVE')),
        `c${i}`,
      ),
    ),
  );
const windowArb = fc
  .tuple(
    fc.integer({ min: -100, max: 1100 }),
    fc.integer({ min: 1, max: 600 }),
    fc.integer({ min: 0, max: 600 }),
  )
  .map(([a, len, cut]) => ({ a, b: a + len, m: a + Math.min(cut, len) }));
const idOf = (r: AvailabilityRow) => `${r.connectionId}/${r.peeringKey}`;

describe('availability: properties', () => {
  it('the four shares sum to the window length, for every row', () => {
    fc.assert(
      fc.property(historiesArb, windowArb, (cs, { a, b }) => {
        const w = { from: at(a), to: at(b) };
        for (const r of availabilityRows(cs, w)) {
          const { active, creating, failed, absent } = r.seconds;
          expect(active + creating + failed + absent).toBe(epochSeconds(w.to) - epochSeconds(w.from));
          expect(r.availability === null || (r.availability >= 0 && r.availability <= 1)).toBe(true);
          expect(r.longestOutageSeconds).toBeLessThanOrEqual(failed);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('splitting a window in two and merging gives the same totals', () => {
    fc.assert(
      fc.property(historiesArb, windowArb, (cs, { a, b, m }) => {
        const whole = availabilityRows(cs, { from: at(a), to: at(b) });
        const left = new Map(availabilityRows(cs, { from: at(a), to: at(m) }).map((r) => [idOf(r), r]));
        const right = new Map(availabilityRows(cs, { from: at(m), to: at(b) }).map((r) => [idOf(r), r]));
        // A peering absent from one half's rows was absent for all of it.
        expect(new Set([...left.keys(), ...right.keys()])).toEqual(new Set(whole.map(idOf)));
        for (const r of whole) {
          const l = left.get(idOf(r));
          const h = right.get(idOf(r));
          const sum = (k: 'active' | 'creating' | 'failed') => (l?.seconds[k] ?? 0) + (h?.seconds[k] ?? 0);
          expect({ active: sum('active'), creating: sum('creating'), failed: sum('failed') }).toEqual({
            active: r.seconds.active,
            creating: r.seconds.creating,
            failed: r.seconds.failed,
          });
          expect((l?.failures ?? 0) + (h?.failures ?? 0)).toBe(r.failures);
          expect(r.longestOutageSeconds).toBeGreaterThanOrEqual(
            Math.max(l?.longestOutageSeconds ?? 0, h?.longestOutageSeconds ?? 0),
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it('does not depend on the order the versions are given in', () => {
    fc.assert(
      fc.property(historiesArb, windowArb, (cs, { a, b }) => {
        const w = { from: at(a), to: at(b) };
        const reversed = cs.map((c) => ({ ...c, versions: [...c.versions].reverse() }));
        expect(availabilityRows(reversed, w)).toEqual(availabilityRows(cs, w));
      }),
      { numRuns: 100 },
    );
  });
});
