/** Target-wide outage, pure: threshold edges, grouping, the message, per-channel sends, a property. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.ts';
import { alertKey } from '../../../lib/model/alert-key.ts';
import type { ChangeEvent } from '../../../lib/model/schemas.ts';
import { DEFAULT_OUTAGE, loadNotifyOptions } from '../../../lib/notify/config.ts';
import {
  decideOutages,
  isOutage,
  outageCandidates,
  outageMessage,
  outageSends,
} from '../../../lib/notify/outage.ts';
import { channel, event } from './fixtures.ts';

const S = DEFAULT_OUTAGE;
const failures = (n: number, over: Partial<ChangeEvent> = {}): ChangeEvent[] =>
  Array.from({ length: n }, (_, i) =>
    event({ id: `evt_${String(i).padStart(3, '0')}_${over.runId ?? 'run-1'}`, queue: `q${i}`, ...over }),
  );
const totals = (n: number, key = 'cn-north-4#p1') => new Map([[key, n]]);
const ctx = { consoleUrlTemplate: 'https://console.example/{region}' };

describe('isOutage: at least minPeerings failures and at least share of the peerings', () => {
  it.each([
    [4, 4, false], // every peering, but fewer than 5
    [5, 5, true],
    [5, 6, true], // 83 %
    [5, 7, false], // 71 %
    [32, 40, true], // exactly 80 %
    [31, 40, false], // 77.5 %
    [7, 5, true], // the store knows fewer peerings than failed (a connection gone since): the count stands
  ])('%i of %i → %s', (failed, total, expected) => {
    expect(isOutage(failed, total, S)).toBe(expected);
  });
  it('minPeerings 0 turns the rule off; share 1 needs every peering', () => {
    expect(isOutage(50, 50, { minPeerings: 0, share: 0.8 })).toBe(false);
    expect(isOutage(9, 10, { minPeerings: 5, share: 1 })).toBe(false);
    expect(isOutage(10, 10, { minPeerings: 5, share: 1 })).toBe(true);
    expect(isOutage(7, 10, { minPeerings: 5, share: 0.7 })).toBe(true);
  });
});

describe('decideOutages', () => {
  it('a run with 37 of 40 peerings failed is one outage standing for all 37', () => {
    const events = failures(37);
    const [o, ...more] = decideOutages(events, totals(40), S);
    expect(more).toEqual([]);
    expect(o).toMatchObject({ region: 'cn-north-4', projectId: 'p1', runId: 'run-1', failed: 37, total: 40 });
    expect(o?.events.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
  });
  it('below the share, or with the denominator unknown, there is none (each failure is sent)', () => {
    expect(decideOutages(failures(31), totals(40), S)).toEqual([]);
    expect(decideOutages(failures(37), new Map(), S)).toEqual([]);
  });
  it('runs and targets are counted apart; recoveries and reminders do not count', () => {
    const split = [...failures(3, { runId: 'run-1' }), ...failures(3, { runId: 'run-2' })];
    expect(decideOutages(split, totals(6), S)).toEqual([]);
    const other = failures(5, { projectId: 'p2' });
    expect(decideOutages([...failures(4), ...other], totals(5), S)).toEqual([]);
    expect(decideOutages(other, totals(5, 'cn-north-4#p2'), S)).toHaveLength(1);
    const reminders = failures(5).map((e) => ({
      ...e,
      reminder: {
        kind: 'periodic' as const,
        of: e.id,
        openSince: e.detectedAt,
        alertKey: 'k',
        silenceId: null,
      },
    }));
    expect(decideOutages(reminders, totals(5), S)).toEqual([]);
    const recovered = failures(5, { type: 'PEERING_RECOVERED', status: 'ACTIVE' });
    expect(decideOutages(recovered, totals(5), S)).toEqual([]);
  });
  it('the key is the same for every retry of the run, whatever the order; another run gets another', () => {
    const events = failures(6);
    const a = decideOutages(events, totals(6), S)[0];
    const b = decideOutages([...events].reverse(), totals(6), S)[0];
    expect(a?.key).toMatch(/^out_[A-Za-z0-9_-]{26}$/);
    expect(b?.key).toBe(a?.key);
    expect(decideOutages(failures(6, { runId: 'run-2' }), totals(6), S)[0]?.key).not.toBe(a?.key);
  });
  it('only targets with enough failures in one run are worth a store read', () => {
    expect(outageCandidates([...failures(4), ...failures(5, { projectId: 'p2' })], S)).toEqual([
      { region: 'cn-north-4', projectId: 'p2' },
    ]);
    expect(outageCandidates(failures(50), { minPeerings: 0, share: 0.8 })).toEqual([]);
  });
});

describe('outageMessage', () => {
  it('names the count and the target, triggers the target alert that a TARGET_RECOVERED resolves', () => {
    const [o] = decideOutages(failures(37), totals(40), S);
    const m = outageMessage(o!, ctx);
    expect(m.title).toBe('Outage: 37 of 40 peerings of cn-north-4/p1 failed');
    expect(m).toMatchObject({ kind: 'outage', tone: 'failure', action: 'trigger', key: o?.key });
    expect(m.lines).toHaveLength(37);
    expect(m.error).toBe('DLI.0001: route table conflict (37 of 37)');
    const recovered = event({
      type: 'TARGET_RECOVERED',
      connectionId: null,
      connectionName: null,
      queue: null,
      connectionVersion: null,
    });
    expect(m.alertKey).toBe(alertKey(recovered));
  });
});

describe('outageSends', () => {
  const [o] = decideOutages(failures(6), totals(6), S);
  it('one send per outage with the failures the channel still owes', () => {
    const done = new Map([[o!.events[0]!.id, { ops: { status: 'sent' as const, at: 'x', attempts: 1 } }]]);
    const sends = outageSends(channel(), [o!], done, 'stream', ctx);
    expect(sends).toHaveLength(1);
    expect(sends[0]?.via).toBe('outage');
    expect(sends[0]?.eventIds).toEqual(o!.events.slice(1).map((e) => e.id));
  });
  it('nothing for a channel that does not route the target, or has recorded every failure', () => {
    expect(outageSends(channel({ targets: ['eu-*:*'] }), [o!], new Map(), 'stream', ctx)).toEqual([]);
    const all = new Map(
      o!.events.map((e) => [e.id, { ops: { status: 'sent' as const, at: 'x', attempts: 1 } }]),
    );
    expect(outageSends(channel(), [o!], all, 'stream', ctx)).toEqual([]);
  });
});

describe('property: each failure is sent alone or stood for by exactly one outage message', () => {
  it('holds for any batch of failures over targets and runs', () => {
    const ev = fc.record({
      projectId: fc.constantFrom('p1', 'p2'),
      runId: fc.constantFrom('r1', 'r2'),
      failed: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(ev, { maxLength: 30 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        (list, t1, t2) => {
          const events = list.map((x, i) =>
            event({
              id: `evt_${i}`,
              projectId: x.projectId,
              runId: x.runId,
              queue: `q${i}`,
              ...(x.failed ? {} : { type: 'PEERING_RECOVERED' as const, status: 'ACTIVE' }),
            }),
          );
          const t = new Map([
            ['cn-north-4#p1', t1],
            ['cn-north-4#p2', t2],
          ]);
          const outages = decideOutages(events, t, S);
          const sends = outageSends(channel(), outages, new Map(), 'stream', ctx);
          const stood = sends.flatMap((s) => s.eventIds);
          // Never twice, only failures, one message per outage.
          expect(new Set(stood).size).toBe(stood.length);
          expect(sends).toHaveLength(outages.length);
          for (const id of stood) expect(events.find((e) => e.id === id)?.type).toBe('PEERING_FAILED');
          // An outage stands for every failure of its run and target, exactly when the rule holds.
          for (const e of events.filter((e) => e.type === 'PEERING_FAILED')) {
            const run = events.filter(
              (x) => x.type === 'PEERING_FAILED' && x.projectId === e.projectId && x.runId === e.runId,
            );
            const total = e.projectId === 'p1' ? t1 : t2;
            expect(stood.includes(e.id)).toBe(isOutage(run.length, total, S));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('OUTAGE_MIN_PEERINGS and OUTAGE_SHARE', () => {
  it('default to 5 and 0.8; read overrides; 0 turns the rule off', () => {
    expect(loadNotifyOptions({}).outage).toEqual({ minPeerings: 5, share: 0.8 });
    expect(loadNotifyOptions({ OUTAGE_MIN_PEERINGS: '0', OUTAGE_SHARE: '0.5' }).outage).toEqual({
      minPeerings: 0,
      share: 0.5,
    });
  });
  it.each(['0', '1.5', '80%', 'most', '-0.2'])('OUTAGE_SHARE=%s is refused with one line naming it', (v) => {
    const run = () => loadNotifyOptions({ OUTAGE_SHARE: v });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/^OUTAGE_SHARE is ".*"; expected a fraction above 0 and at most 1, e.g. 0.8$/);
  });
  it('OUTAGE_MIN_PEERINGS must be a whole number', () => {
    expect(() => loadNotifyOptions({ OUTAGE_MIN_PEERINGS: 'five' })).toThrow(
      /^OUTAGE_MIN_PEERINGS is "five"/,
    );
  });
});
