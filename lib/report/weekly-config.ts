/**
 * The weekly report's settings (functions/weekly-report.ts), parsed once per invocation with zod.
 * Off by default: without WEEKLY_REPORT_BUCKET there is nothing to write, and the function is not
 * even deployed (serverless.yml condition WeeklyReportOn).
 */
import { z } from 'zod';
import type { Env } from '../config.ts';
import { ConfigError } from '../errors.ts';

export interface WeeklyReportConfig {
  bucket: string;
  /** Empty, or ends with `/`: the object key is `${prefix}2026-W47.html`. */
  prefix: string;
  /** X-Amz-Expires of the link posted to chat, in seconds. */
  linkSeconds: number;
}

/** SigV4 presigned URLs live at most 7 days (S3 refuses a longer X-Amz-Expires). */
export const MAX_LINK_HOURS = 168;

// S3's rules for general purpose bucket names; dots are refused too, since a dotted name breaks the
// TLS certificate match of virtual-hosted URLs, which is what the presigned link uses.
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const PREFIX = /^(?:[A-Za-z0-9!_.*'()-]+\/)*$/;

const Schema = z.object({
  WEEKLY_REPORT_BUCKET: z
    .string({ message: 'WEEKLY_REPORT_BUCKET is not set; expected the S3 bucket the report is written to' })
    .trim()
    .regex(BUCKET, {
      message: 'WEEKLY_REPORT_BUCKET must be an S3 bucket name (3-63 of a-z 0-9 -), e.g. acme-dli-reports',
    }),
  WEEKLY_REPORT_PREFIX: z
    .string()
    .trim()
    .max(200, { message: 'WEEKLY_REPORT_PREFIX must be at most 200 characters' })
    .refine((p) => PREFIX.test(p) && !p.split('/').some((s) => s === '.' || s === '..'), {
      message: 'WEEKLY_REPORT_PREFIX must be empty or folders ending with "/", e.g. reports/ or dli/weekly/',
    })
    .default('reports/'),
  WEEKLY_REPORT_LINK_HOURS: z
    .string()
    .trim()
    .regex(/^\d{1,3}$/, {
      message: `WEEKLY_REPORT_LINK_HOURS must be a whole number from 1 to ${MAX_LINK_HOURS}`,
    })
    .transform(Number)
    .refine((h) => h >= 1 && h <= MAX_LINK_HOURS, {
      message: `WEEKLY_REPORT_LINK_HOURS must be from 1 to ${MAX_LINK_HOURS} (presigned links live at most 7 days)`,
    })
    .default(24),
});

export function loadWeeklyReportConfig(env: Env): WeeklyReportConfig {
  // An empty variable is how serverless.yml passes "not set": the default applies.
  const set = (name: string) => (env[name]?.trim() ? env[name] : undefined);
  const parsed = Schema.safeParse({
    WEEKLY_REPORT_BUCKET: set('WEEKLY_REPORT_BUCKET'),
    WEEKLY_REPORT_PREFIX: env.WEEKLY_REPORT_PREFIX,
    WEEKLY_REPORT_LINK_HOURS: set('WEEKLY_REPORT_LINK_HOURS'),
  });
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues[0]?.message ?? 'weekly report settings are invalid');
  const c = parsed.data;
  return {
    bucket: c.WEEKLY_REPORT_BUCKET,
    prefix: c.WEEKLY_REPORT_PREFIX,
    linkSeconds: c.WEEKLY_REPORT_LINK_HOURS * 3600,
  };
}
