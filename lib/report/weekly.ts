/**
 * The scheduled weekly report's shell: the previous ISO week's report (build.ts), written to S3
 * under a key named after the week, and a presigned GET link to it. Posting the line to chat is
 * the notifier's part (lib/notify/weekly-post.ts): reports read, they do not deliver.
 *
 * The link is a credential (anyone holding it reads the report until it expires): it is returned
 * to the caller and never logged or put in an error.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Store } from '../store/client.ts';
import { summarize } from './availability.ts';
import { buildReport } from './build.ts';
import type { Selection } from './load.ts';
import type { WeeklyReportConfig } from './weekly-config.ts';
import { messageKey, previousIsoWeek, reportKey, summaryLine, summaryText } from './weekly-plan.ts';

export interface WeeklyReport {
  /** `2026-W47`. */
  week: string;
  bucket: string;
  key: string;
  bytes: number;
  /** The chat message's idempotency key. */
  messageKey: string;
  /** The line without the link: safe to log. */
  text: string;
  /** The line with the link: a secret, post it and forget it. */
  line: string;
  link: string;
  /** X-Amz-Expires after `now`; a link signed with temporary credentials dies with them, maybe sooner. */
  expiresAt: string;
}

export async function writeWeeklyReport(deps: {
  store: Store;
  s3: S3Client;
  selection: Selection;
  config: WeeklyReportConfig;
  now: Date;
}): Promise<WeeklyReport> {
  const { config, now } = deps;
  const week = previousIsoWeek(now);
  const { html, results } = await buildReport(deps.store, deps.selection, week.window, now);
  const key = reportKey(config.prefix, week);
  const target = { Bucket: config.bucket, Key: key };
  await deps.s3.send(
    new PutObjectCommand({ ...target, Body: html, ContentType: 'text/html; charset=utf-8' }),
  );
  const link = await getSignedUrl(deps.s3, new GetObjectCommand(target), { expiresIn: config.linkSeconds });
  const text = summaryText(week, summarize(results.map((r) => r.row)));
  return {
    week: week.label,
    bucket: config.bucket,
    key,
    bytes: Buffer.byteLength(html),
    messageKey: messageKey(config.bucket, key),
    text,
    line: summaryLine(text, link),
    link,
    expiresAt: new Date(now.getTime() + config.linkSeconds * 1000).toISOString(),
  };
}
