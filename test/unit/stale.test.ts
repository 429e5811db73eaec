/**
 * Stale targets (lib/sync/stale.ts): every transition of the rule, and the events' shape and ids.
 */
import { describe, expect, it } from 'vitest';
import { targetAlertId } from '../../lib/model/event-id.ts';
import { decideStale, recoveredEvent, staleEvent } from '../../lib/sync/stale.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const after = 3 * 15 * 60_000; // 3 intervals of 15 minutes
const target = { region: 'cn-north-4', projectId: 'p1' };

describe('decideStale', () => {
  const decide = (last: number | null, open: number | null | 'none', nowMs: number) =>
    decideStale({
      lastCompleteSweepAt: last === null ? null : iso(last),
      open: open === 'none' ? null : { lastCompleteSweepAt: open === null ? null : iso(open) },
      nowMs: T0 + nowMs,
      staleAfterMs: after,
    });

  it('opens once the newest complete sweep is older than N intervals, not at N exactly', () => {
    expect(decide(0, 'none', after)).toEqual({ open: false, close: false });
    expect(decide(0, 'none', after + 1)).toEqual({ open: true, close: false });
  });
  it('an open alert of the same spell stays open: nothing is written again', () => {
    expect(decide(0, 0, 5 * H)).toEqual({ open: false, close: false });
  });
  it('closes when a newer sweep completed and the target is fresh', () => {
    expect(decide(2 * H, 0, 2 * H + 60_000)).toEqual({ open: false, close: true });
  });
  it('closes the old spell and opens the new one when both happened between two ticks', () => {
    expect(decide(2 * H, 0, 5 * H)).toEqual({ open: true, close: true });
  });
  it('never swept: no alert (like the metric); nothing to close without a sweep', () => {
    expect(decide(null, 'none', 100 * H)).toEqual({ open: false, close: false });
    expect(decide(null, 0, 100 * H)).toEqual({ open: false, close: false });
  });
  it('fresh and no alert: nothing', () => {
    expect(decide(0, 'none', 60_000)).toEqual({ open: false, close: false });
  });
});

describe('the events', () => {
  it('TARGET_STALE carries the last error, null connection fields, and an id from the spell', () => {
    const e = staleEvent(
      target,
      iso(0),
      { error: 'DLI.0013: user authentication error', runId: 'r9' },
      iso(H),
    );
    expect(e).toMatchObject({
      id: targetAlertId('TARGET_STALE', target, iso(0)),
      type: 'TARGET_STALE',
      connectionId: null,
      connectionName: null,
      queue: null,
      peeringKey: null,
      connectionVersion: null,
      previousStatus: 'ACTIVE',
      status: 'STALE',
      error: 'DLI.0013: user authentication error',
      runId: 'r9',
      lastCompleteSweepAt: iso(0),
      detectedAt: iso(H),
    });
    // Another tick, another clock: same spell, same id (the conditional write keeps one).
    expect(staleEvent(target, iso(0), null, iso(2 * H)).id).toBe(e.id);
    expect(staleEvent(target, iso(1), null, iso(2 * H)).id).not.toBe(e.id);
    expect(staleEvent(target, iso(0), null, iso(H)).error).toBeNull();
  });
  it('TARGET_RECOVERED is named by the spell it closes and says which sweep ended it', () => {
    const e = recoveredEvent(target, iso(0), iso(2 * H), iso(2 * H + 1));
    expect(e).toMatchObject({
      id: targetAlertId('TARGET_RECOVERED', target, iso(0)),
      type: 'TARGET_RECOVERED',
      connectionId: null,
      previousStatus: 'STALE',
      status: 'ACTIVE',
      lastCompleteSweepAt: iso(2 * H),
    });
    expect(e.id).not.toBe(staleEvent(target, iso(0), null, iso(H)).id);
  });
});
