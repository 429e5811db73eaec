import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertKey } from '../../../lib/model/alert-key.ts';
import type { ResolvedTarget, TargetState } from '../../../lib/model/target.ts';
import {
  type Observed,
  planRegistry,
  type RegisteredTarget,
  stateAfterRun,
  targetStateEvent,
} from '../../../lib/model/target-registry.ts';

const T0 = '2026-05-01T10:00:00.000Z';
const T1 = '2026-05-01T11:00:00.000Z';
const resolved = (projectId: string, o: Partial<ResolvedTarget> = {}): ResolvedTarget => ({
  region: 'cn-north-4',
  projectId,
  endpoint: 'https://dli.example',
  projectName: null,
  account: null,
  source: 'explicit',
  ...o,
});
/** The registry after applying writes (what the store does). */
const apply = (stored: RegisteredTarget[], writes: RegisteredTarget[]): RegisteredTarget[] => {
  const m = new Map(stored.map((s) => [s.projectId, s]));
  for (const w of writes) m.set(w.projectId, w);
  return [...m.values()];
};

describe('planRegistry: what the resolved list writes', () => {
  it('registers new targets as active, first seen now', () => {
    expect(planRegistry([], [resolved('a')], T0)).toEqual([
      {
        region: 'cn-north-4',
        projectId: 'a',
        projectName: null,
        account: null,
        source: 'explicit',
        state: 'active',
        stateSince: T0,
        firstSeenAt: T0,
        retiredAt: null,
      },
    ]);
  });

  it('retires a target no longer resolved, keeps it, and makes it active again when it returns', () => {
    const reg = apply([], planRegistry([], [resolved('a'), resolved('b')], T0));
    const retiring = planRegistry(reg, [resolved('a')], T1);
    expect(retiring).toEqual([expect.objectContaining({ projectId: 'b', state: 'retired', retiredAt: T1 })]);
    const after = apply(reg, retiring);
    expect(planRegistry(after, [resolved('a')], T1)).toEqual([]); // retired stays retired, no rewrite
    const back = planRegistry(after, [resolved('a'), resolved('b')], T1);
    expect(back).toEqual([
      expect.objectContaining({ projectId: 'b', state: 'active', retiredAt: null, firstSeenAt: T0 }),
    ]);
  });

  it('rewrites a target whose source, account or project name changed, keeping its state', () => {
    const reg = apply([], planRegistry([], [resolved('a')], T0)).map((r) => ({
      ...r,
      state: 'denied' as const,
    }));
    const w = planRegistry(reg, [resolved('a', { source: 'discovered', projectName: 'cn-north-4' })], T1);
    expect(w).toEqual([
      expect.objectContaining({ source: 'discovered', projectName: 'cn-north-4', state: 'denied' }),
    ]);
  });

  it('property: re-planning the same list after applying it writes nothing (an unchanged estate costs no write)', () => {
    const list = fc.uniqueArray(fc.constantFrom<string>('a', 'b', 'c', 'd', 'e'), { maxLength: 5 });
    fc.assert(
      fc.property(list, list, fc.boolean(), (first, second, discovered) => {
        const src = discovered ? 'discovered' : 'explicit';
        const r1 = first.map((p) => resolved(p, { source: src }));
        const r2 = second.map((p) => resolved(p));
        const reg = apply(
          apply([], planRegistry([], r1, T0)),
          planRegistry(apply([], planRegistry([], r1, T0)), r2, T1),
        );
        expect(planRegistry(reg, r2, T1)).toEqual([]);
        // every target ever seen is kept; exactly those outside r2 are retired
        expect(new Set(reg.map((r) => r.projectId))).toEqual(new Set([...first, ...second]));
        for (const r of reg) expect(r.state === 'retired').toBe(!second.includes(r.projectId));
      }),
      { numRuns: 60 },
    );
  });
});

describe('stateAfterRun: one event per change, never one per run', () => {
  const states: (TargetState | null)[] = [null, 'active', 'denied', 'not-enabled', 'retired'];
  const observed: Observed[] = [null, 'active', 'denied', 'not-enabled'];

  it('exhaustively', () => {
    for (const p of states)
      for (const o of observed) {
        const got = stateAfterRun(p, o);
        if (o === null) expect(got).toBeNull();
        else if (o === 'active')
          expect(got).toEqual(
            p === 'denied' || p === 'not-enabled' ? { state: 'active', event: 'TARGET_RECOVERED' } : null,
          );
        else expect(got).toEqual(p === o ? null : { state: o, event: 'TARGET_DENIED' });
      }
  });

  it('a target-level event: null connection fields, status says which, and the denial and its recovery share an alert key', () => {
    const base = {
      target: { region: 'r', projectId: 'p' },
      error: 'HTTP 403',
      runId: 'run1',
      detectedAt: T0,
    };
    const denied = targetStateEvent({
      ...base,
      type: 'TARGET_DENIED',
      previous: 'active',
      state: 'not-enabled',
    });
    expect(denied).toMatchObject({
      connectionId: null,
      queue: null,
      status: 'NOT_ENABLED',
      previousStatus: 'ACTIVE',
    });
    const again = targetStateEvent({
      ...base,
      type: 'TARGET_DENIED',
      previous: 'active',
      state: 'not-enabled',
    });
    expect(again.id).toBe(denied.id); // a retried write of the same run collides
    const rec = targetStateEvent({
      ...base,
      runId: 'run2',
      type: 'TARGET_RECOVERED',
      previous: 'not-enabled',
      state: 'active',
      error: null,
    });
    expect(rec.id).not.toBe(denied.id);
    expect(alertKey(rec)).toBe(alertKey(denied));
  });
});
