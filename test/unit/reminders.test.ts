/** dueReminders (lib/sync/reminders.ts): when a reminder of an open alert is due. Pure. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Silence } from '../../lib/model/silence.ts';
import { dueReminders, type MadeReminder, type OpenAlert } from '../../lib/sync/reminders.ts';
import { event, T0 } from './notify/fixtures.ts';

const H = 3_600_000;
const OPEN = Date.parse(T0);
const CONFIG = { remindAfterMs: 4 * H, silenceLookbackMs: 24 * H };
const alert = (over: Partial<OpenAlert['event']> = {}, periodic = true): OpenAlert => ({
  event: event(over),
  alertKey: 'cn-north-4/p1/c-1/etl_queue',
  periodic,
});
const silence = (start: number, end: number, match: Silence['match'] = { queue: 'etl_queue' }): Silence => ({
  id: 'sil_a',
  match,
  startsAt: new Date(start).toISOString(),
  endsAt: new Date(end).toISOString(),
  reason: 'r',
  createdBy: null,
});
const asMade = (rs: ReturnType<typeof dueReminders>): MadeReminder[] =>
  rs.map((r) => ({ id: r.id, of: r.reminder?.of ?? '', at: r.detectedAt }));

describe('dueReminders', () => {
  it('periodic: none before REMIND_AFTER, then one per interval, carrying the alert', () => {
    expect(dueReminders([alert()], [], [], OPEN + 4 * H - 1, CONFIG)).toEqual([]);
    const [r] = dueReminders([alert()], [], [], OPEN + 4 * H, CONFIG);
    expect(r).toMatchObject({
      type: 'PEERING_FAILED',
      detectedAt: new Date(OPEN + 4 * H).toISOString(),
      silencedBy: null,
      reminder: {
        kind: 'periodic',
        of: alert().event.id,
        alertKey: alert().alertKey,
        openSince: T0,
        silenceId: null,
      },
    });
    expect(r?.id).toMatch(/^rem_/);
    expect(dueReminders([alert()], [], asMade([r!]), OPEN + 7 * H, CONFIG)).toEqual([]);
    expect(dueReminders([alert()], [], asMade([r!]), OPEN + 8 * H, CONFIG)).toHaveLength(1);
  });

  it('two silences ending together over one alert: one silence-ended reminder, not one per silence', () => {
    const both = [silence(OPEN + H, OPEN + 2 * H), { ...silence(OPEN + H, OPEN + 2 * H), id: 'sil_b' }];
    const deleted = alert(
      { type: 'CONNECTION_DELETED', detectedAt: new Date(OPEN + H).toISOString() },
      false,
    );
    const first = dueReminders([deleted], both, [], OPEN + 3 * H, CONFIG);
    expect(first).toHaveLength(1);
    // The next tick (as remindStep runs every interval) must not remind again for the other silence.
    expect(dueReminders([deleted], both, asMade(first), OPEN + 3 * H + 60_000, CONFIG)).toEqual([]);
  });

  it('property: run at any ticks, at most one reminder per alert per interval', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 * H }), { maxLength: 40 }), (offsets) => {
        const made: MadeReminder[] = [];
        for (const t of [...offsets].sort((a, b) => a - b))
          made.push(...asMade(dueReminders([alert()], [], made, OPEN + t, CONFIG)));
        const intervals = made.map((m) => Math.floor((Date.parse(m.at) - OPEN) / CONFIG.remindAfterMs));
        expect(new Set(intervals).size).toBe(intervals.length);
        expect(intervals.every((n) => n >= 1)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('none for an acknowledged alert, none while a silence holds it, none when off', () => {
    expect(
      dueReminders([alert({ acknowledgedAt: T0, acknowledgedBy: 'bob' })], [], [], OPEN + 5 * H, CONFIG),
    ).toEqual([]);
    expect(dueReminders([alert()], [silence(OPEN, OPEN + 9 * H)], [], OPEN + 5 * H, CONFIG)).toEqual([]);
    expect(dueReminders([alert()], [], [], OPEN + 5 * H, { ...CONFIG, remindAfterMs: 0 })).toEqual([]);
  });

  it('silence end: exactly one reminder when a matched alert is still open, even with periodic reminders off', () => {
    const s = silence(OPEN - H, OPEN + H);
    const off = { ...CONFIG, remindAfterMs: 0 };
    expect(dueReminders([alert()], [s], [], OPEN + H - 1, off)).toEqual([]);
    const first = dueReminders([alert()], [s], [], OPEN + H, off);
    expect(first).toHaveLength(1);
    expect(first[0]?.reminder).toMatchObject({ kind: 'silence-ended', silenceId: 'sil_a' });
    expect(dueReminders([alert()], [s], asMade(first), OPEN + 2 * H, off)).toEqual([]);
    // Not matched, opened after the end, or acknowledged: none.
    expect(dueReminders([alert({ queue: 'other' })], [s], [], OPEN + H, off)).toEqual([]);
    expect(
      dueReminders([alert({ detectedAt: new Date(OPEN + H).toISOString() })], [s], [], OPEN + 2 * H, off),
    ).toEqual([]);
    expect(dueReminders([alert({ acknowledgedAt: T0 })], [s], [], OPEN + H, off)).toEqual([]);
  });

  it("a silence-end reminder counts as its interval's periodic one", () => {
    const s = silence(OPEN, OPEN + 5 * H);
    const ended = dueReminders([alert()], [s], [], OPEN + 5 * H, CONFIG);
    expect(ended[0]?.reminder?.kind).toBe('silence-ended');
    expect(dueReminders([alert()], [s], asMade(ended), OPEN + 7 * H, CONFIG)).toEqual([]);
    expect(dueReminders([alert()], [s], asMade(ended), OPEN + 8 * H, CONFIG)).toHaveLength(1);
  });

  it('silence end for a deletion only when it was detected inside the window', () => {
    const del = (at: number) =>
      alert({ type: 'CONNECTION_DELETED', queue: null, detectedAt: new Date(at).toISOString() }, false);
    const s = silence(OPEN, OPEN + H, { connection: 'c-1' });
    expect(dueReminders([del(OPEN + 10)], [s], [], OPEN + 2 * H, CONFIG)).toHaveLength(1);
    expect(dueReminders([del(OPEN - 10)], [s], [], OPEN + 2 * H, CONFIG)).toEqual([]);
    // Deletions get no periodic reminder.
    expect(dueReminders([del(OPEN - 10)], [], [], OPEN + 9 * H, CONFIG)).toEqual([]);
  });
});
