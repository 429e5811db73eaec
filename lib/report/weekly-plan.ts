/**
 * The pure parts of the scheduled weekly report (lib/report/weekly.ts is the shell): which week,
 * where its file goes, and the one line posted to chat. No I/O, no clock: `now` comes in.
 */
import type { Summary, Window } from './availability.ts';

const DAY_MS = 86_400_000;

export interface IsoWeek {
  /** `2026-W47`: the ISO 8601 week-year (the year of the week's Thursday) and week number. */
  label: string;
  /** Monday 00:00 UTC to the next Monday 00:00 UTC. */
  window: Window;
}

/** The ISO week starting on `monday` (a Monday, 00:00 UTC). */
function isoWeekOf(monday: number): IsoWeek {
  // ISO 8601: a week belongs to the year holding its Thursday, and week 1 holds the year's first Thursday.
  const thursday = new Date(monday + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return {
    label: `${year}-W${String(week).padStart(2, '0')}`,
    window: { from: new Date(monday).toISOString(), to: new Date(monday + 7 * DAY_MS).toISOString() },
  };
}

/**
 * The last full ISO week before `now`: a run late on Monday, or a retry on Tuesday, still reports
 * the same week, so its object key and chat message key are the same.
 */
export function previousIsoWeek(now: Date): IsoWeek {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const sinceMonday = (now.getUTCDay() + 6) % 7;
  return isoWeekOf(midnight - (sinceMonday + 7) * DAY_MS);
}

/** Deterministic, so a retried run overwrites the same object instead of adding one. */
export const reportKey = (prefix: string, week: IsoWeek): string => `${prefix}${week.label}.html`;

/**
 * Availability as a percentage, one decimal, rounded DOWN: a week with any downtime never reads
 * "100.0 %" (99.96 % shows as 99.9 %).
 */
export function percentDown(availability: number): string {
  return `${(Math.floor(availability * 1000 + 1e-9) / 10).toFixed(1)} %`;
}

/** `45 s`, `12 m`, `3 h 5 m`: a chat line, not a measurement (the report has the seconds). */
export function shortDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} m`;
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${minutes % 60} m`;
}

/** The line without its link: what the week was, in figures. */
export function summaryText(
  week: IsoWeek,
  s: Pick<Summary, 'availability' | 'failures' | 'mttrSeconds'>,
): string {
  const available = s.availability === null ? 'no peerings' : `${percentDown(s.availability)} available`;
  const failures = `${s.failures} ${s.failures === 1 ? 'failure' : 'failures'}`;
  const mttr = s.mttrSeconds === null ? 'no recoveries' : `MTTR ${shortDuration(s.mttrSeconds)}`;
  return `DLI weekly report ${week.label}: ${available}, ${failures}, ${mttr}`;
}

/** The one line posted to chat: "DLI weekly report 2026-W47: 99.2 % available, 3 failures, MTTR 12 m — <link>". */
export const summaryLine = (text: string, link: string): string => `${text} — ${link}`;

/**
 * The chat message key (DingTalk msgUuid, webhook Idempotency-Key): one per report object, so a
 * retried run's second post is dropped by the platforms that dedupe, and two stages writing to two
 * buckets never swallow each other's message.
 */
export const messageKey = (bucket: string, key: string): string => `weekly-report:${bucket}/${key}`;
