/** The pure parts of the scheduled weekly report: week, key, line, settings, channel opt-in, message. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChannels } from '../../lib/notify/config.ts';
import { weeklyChannels, weeklyMessage } from '../../lib/notify/weekly-post.ts';
import { loadWeeklyReportConfig } from '../../lib/report/weekly-config.ts';
import {
  messageKey,
  percentDown,
  previousIsoWeek,
  reportKey,
  shortDuration,
  summaryLine,
  summaryText,
} from '../../lib/report/weekly-plan.ts';

const week = (iso: string) => previousIsoWeek(new Date(iso));

describe('previousIsoWeek', () => {
  it.each([
    // [now, label, Monday it starts]
    ['2026-11-23T00:00:00.000Z', '2026-W47', '2026-11-16'], // run at the very start of Monday
    ['2026-11-29T23:59:59.999Z', '2026-W47', '2026-11-16'], // Sunday night: W48 is not over yet
    ['2026-11-24T09:00:00.000Z', '2026-W47', '2026-11-16'], // a retry on Tuesday: same week
    ['2026-01-05T06:00:00.000Z', '2026-W01', '2025-12-29'], // week 1 starts in the previous year
    ['2021-01-04T00:00:00.000Z', '2020-W53', '2020-12-28'], // a 53-week year
    ['2027-01-04T00:00:00.000Z', '2026-W53', '2026-12-28'], // 2026 starts on a Thursday: 53 weeks
    ['2025-01-01T12:00:00.000Z', '2024-W52', '2024-12-23'], // New Year's Day in ISO week 1 of 2025
    ['2025-01-06T00:00:00.000Z', '2025-W01', '2024-12-30'], // W01 of 2025 began on 30 December 2024
    ['2024-03-04T00:00:00.000Z', '2024-W09', '2024-02-26'], // across 29 February
  ])('%s → %s (from %s)', (now, label, monday) => {
    const w = week(now);
    expect(w.label).toBe(label);
    expect(w.window.from).toBe(`${monday}T00:00:00.000Z`);
    expect(Date.parse(w.window.to) - Date.parse(w.window.from)).toBe(7 * 86_400_000);
  });

  it('is the last full Monday-to-Monday week before now, whatever now is', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1971-01-01'), max: new Date('2199-12-31'), noInvalidDate: true }),
        (now) => {
          const w = previousIsoWeek(now);
          const to = Date.parse(w.window.to);
          expect(new Date(to).getUTCDay()).toBe(1);
          expect(to % 86_400_000).toBe(0);
          expect(to).toBeLessThanOrEqual(now.getTime());
          expect(now.getTime() - to).toBeLessThan(7 * 86_400_000);
          const n = Number(w.label.slice(6));
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(53);
          // The week-year is the year of the week's Thursday.
          expect(w.label.slice(0, 4)).toBe(
            String(new Date(Date.parse(w.window.from) + 3 * 86_400_000).getUTCFullYear()),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('report key and message key', () => {
  it('names the object after the week, under the prefix, the same on every run', () => {
    expect(reportKey('reports/', week('2026-11-24T09:00:00Z'))).toBe('reports/2026-W47.html');
    expect(reportKey('', week('2026-11-23T00:00:00Z'))).toBe('2026-W47.html');
    expect(messageKey('acme-reports', 'reports/2026-W47.html')).toBe(
      'weekly-report:acme-reports/reports/2026-W47.html',
    );
  });
});

describe('summary line', () => {
  const w = week('2026-11-24T00:00:00Z');
  it('says availability, failures and MTTR, then the link', () => {
    const text = summaryText(w, { availability: 0.99237, failures: 3, mttrSeconds: 720 });
    expect(text).toBe('DLI weekly report 2026-W47: 99.2 % available, 3 failures, MTTR 12 m');
    expect(summaryLine(text, 'https://x/y')).toBe(
      'DLI weekly report 2026-W47: 99.2 % available, 3 failures, MTTR 12 m — https://x/y',
    );
  });
  it('never rounds a week with downtime up to 100 %', () => {
    expect(percentDown(0.99999)).toBe('99.9 %');
    expect(percentDown(1)).toBe('100.0 %');
    expect(percentDown(0)).toBe('0.0 %');
    // 0.29 * 1000 is 289.99999999999994 in floating point: still 29.0 %.
    expect(percentDown(0.29)).toBe('29.0 %');
  });
  it('says so when nothing existed or nothing recovered, and counts one failure in the singular', () => {
    expect(summaryText(w, { availability: null, failures: 0, mttrSeconds: null })).toBe(
      'DLI weekly report 2026-W47: no peerings, 0 failures, no recoveries',
    );
    expect(summaryText(w, { availability: 0.5, failures: 1, mttrSeconds: 45 })).toContain(
      '1 failure, MTTR 45 s',
    );
  });
  it.each([
    [0, '0 s'],
    [59, '59 s'],
    [60, '1 m'],
    [3599, '1 h'],
    [3600, '1 h'],
    [3600 + 5 * 60, '1 h 5 m'],
    [26 * 3600, '26 h'],
  ])('shortDuration(%i) = %s', (s, text) => expect(shortDuration(s)).toBe(text));
});

describe('WEEKLY_REPORT_* settings', () => {
  it('defaults the prefix to reports/ and the link to 24 hours', () => {
    expect(loadWeeklyReportConfig({ WEEKLY_REPORT_BUCKET: 'acme-reports' })).toEqual({
      bucket: 'acme-reports',
      prefix: 'reports/',
      linkSeconds: 86_400,
    });
    expect(
      loadWeeklyReportConfig({
        WEEKLY_REPORT_BUCKET: 'b-1',
        WEEKLY_REPORT_PREFIX: '',
        WEEKLY_REPORT_LINK_HOURS: '168',
      }),
    ).toEqual({ bucket: 'b-1', prefix: '', linkSeconds: 168 * 3600 });
  });
  it.each([
    [{}, /^WEEKLY_REPORT_BUCKET is not set/],
    [{ WEEKLY_REPORT_BUCKET: '  ' }, /^WEEKLY_REPORT_BUCKET is not set/],
    [{ WEEKLY_REPORT_BUCKET: 'Acme_Reports' }, /^WEEKLY_REPORT_BUCKET must be an S3 bucket name/],
    [{ WEEKLY_REPORT_BUCKET: 'acme.reports' }, /^WEEKLY_REPORT_BUCKET must be an S3 bucket name/],
    [{ WEEKLY_REPORT_BUCKET: 'ab' }, /^WEEKLY_REPORT_BUCKET must be an S3 bucket name/],
    [
      { WEEKLY_REPORT_BUCKET: 'b-1', WEEKLY_REPORT_PREFIX: 'reports' },
      /^WEEKLY_REPORT_PREFIX must be empty or folders/,
    ],
    [
      { WEEKLY_REPORT_BUCKET: 'b-1', WEEKLY_REPORT_PREFIX: '/reports/' },
      /^WEEKLY_REPORT_PREFIX must be empty or folders/,
    ],
    [
      { WEEKLY_REPORT_BUCKET: 'b-1', WEEKLY_REPORT_PREFIX: 'a/../' },
      /^WEEKLY_REPORT_PREFIX must be empty or folders/,
    ],
    [
      { WEEKLY_REPORT_BUCKET: 'b-1', WEEKLY_REPORT_LINK_HOURS: '169' },
      /^WEEKLY_REPORT_LINK_HOURS must be from 1 to 168/,
    ],
    [
      { WEEKLY_REPORT_BUCKET: 'b-1', WEEKLY_REPORT_LINK_HOURS: '0' },
      /^WEEKLY_REPORT_LINK_HOURS must be from 1 to 168/,
    ],
    [
      { WEEKLY_REPORT_BUCKET: 'b-1', WEEKLY_REPORT_LINK_HOURS: '1.5' },
      /^WEEKLY_REPORT_LINK_HOURS must be a whole number/,
    ],
  ])('refuses %o with one line naming the setting', (env, message) => {
    expect(() => loadWeeklyReportConfig(env)).toThrow(message);
    try {
      loadWeeklyReportConfig(env);
    } catch (err) {
      expect((err as Error).name).toBe('ConfigError');
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('channel opt-in', () => {
  const channel = (extra: Record<string, unknown>) =>
    JSON.stringify([{ name: 'ops', type: 'slack', url: 'https://hooks.slack.com/services/T/B/x', ...extra }]);
  it('is off unless weeklyReport is true', () => {
    const all = [
      ...parseChannels(channel({})),
      ...parseChannels(channel({ name: 'b', weeklyReport: false })),
      ...parseChannels(channel({ name: 'c', weeklyReport: true })),
    ];
    expect(weeklyChannels(all).map((c) => c.name)).toEqual(['c']);
  });
  it('refuses a non-boolean and a paging tool, naming the field', () => {
    expect(() => parseChannels(channel({ weeklyReport: 'yes' }))).toThrow(
      /weeklyReport must be true or false/,
    );
    expect(() =>
      parseChannels(
        JSON.stringify([
          {
            name: 'pd',
            type: 'pagerduty',
            url: 'https://events.pagerduty.com/v2/enqueue',
            secret: 'k',
            weeklyReport: true,
          },
        ]),
      ),
    ).toThrow(/weeklyReport is for chat channels; pagerduty would open an incident/);
  });
});

describe('weeklyMessage', () => {
  it('carries the line, the link whole, and the week as its idempotency key; no paging action', () => {
    const link = `https://b.s3.amazonaws.com/reports/2026-W47.html?X-Amz-Signature=${'a'.repeat(64)}`;
    const m = weeklyMessage({
      key: 'weekly-report:b/reports/2026-W47.html',
      text: 'DLI weekly report 2026-W47: 99.2 % available, 3 failures, MTTR 12 m',
      line: `DLI weekly report 2026-W47: 99.2 % available, 3 failures, MTTR 12 m — ${link}`,
      link,
      expiresAt: '2026-11-24T00:00:00.000Z',
      at: '2026-11-23T00:00:00.000Z',
    });
    expect(m.key).toBe('weekly-report:b/reports/2026-W47.html');
    expect(m.summary.endsWith(`— ${link}`)).toBe(true);
    expect(m.title).not.toContain('https://');
    expect(m.link).toEqual({ label: 'Open the weekly report', url: link });
    expect(m.action).toBeUndefined();
    expect(m.events).toEqual([]);
  });
});
