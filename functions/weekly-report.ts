/**
 * Scheduled weekly report (deployed only when WEEKLY_REPORT_BUCKET is set; serverless.yml
 * condition WeeklyReportOn): the previous ISO week's HTML report to S3 (lib/report/weekly.ts),
 * then its one-line summary with a presigned link to the channels with `weeklyReport: true`
 * (lib/notify/weekly-post.ts). The link is never logged or returned.
 *
 * Retries: a failure before anything is posted (table, S3) throws, and EventBridge's async retry
 * writes the same key again. Once posting has begun nothing throws: a retry would post again to
 * the channels that already had it (DingTalk and webhooks dedupe by the message key, Slack would not).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { endpointFor, loadQueryTargets, loadStoreConfig } from '../lib/config.ts';
import { describeError } from '../lib/errors.ts';
import { coldStart, lambdaShell } from '../lib/lambda.ts';
import { channelSource, loadNotifyOptions } from '../lib/notify/config.ts';
import { createPost } from '../lib/notify/http.ts';
import { loadChannels } from '../lib/notify/ssm.ts';
import { postWeeklySummary, type WeeklyPostResult } from '../lib/notify/weekly-post.ts';
import { writeWeeklyReport } from '../lib/report/weekly.ts';
import { loadWeeklyReportConfig } from '../lib/report/weekly-config.ts';
import { knownTargets } from '../lib/store/targets.ts';

const boot = coldStart(() => ({ shell: lambdaShell(process.env), s3: new S3Client({ maxAttempts: 5 }) }));

interface WeeklyAnswer {
  week: string;
  key: string;
  bytes: number;
  posts: WeeklyPostResult[];
}

export async function handler(): Promise<WeeklyAnswer> {
  const { shell, s3 } = await boot();
  const { logger } = shell.telemetry;
  try {
    const env = await shell.env();
    const config = loadWeeklyReportConfig(env);
    const options = loadNotifyOptions(env);
    const channels = await loadChannels(channelSource(env));
    const store = shell.store(loadStoreConfig(env));
    // Retired targets too: a target retired this week still had last week's history.
    const targets = await knownTargets(store, loadQueryTargets(env), endpointFor(env), { retired: true });
    const report = await writeWeeklyReport({ store, s3, selection: { targets }, config, now: new Date() });
    logger.info('weekly report written', {
      week: report.week,
      bucket: report.bucket,
      key: report.key,
      bytes: report.bytes,
      summary: report.text,
    });
    const posts = await postWeeklySummary(
      channels,
      { ...report, key: report.messageKey, at: new Date().toISOString() },
      options.retry,
      {
        post: createPost(options),
        now: Date.now,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        random: Math.random,
        buckets: new Map(),
      },
    );
    if (posts.length === 0) logger.warn('no channel has "weeklyReport": true; the report is only in S3');
    for (const p of posts.filter((x) => !x.ok)) logger.error('weekly summary not posted', { ...p });
    return { week: report.week, key: report.key, bytes: report.bytes, posts };
  } catch (err) {
    logger.error('weekly report failed', { error: describeError(err) });
    throw err;
  }
}
