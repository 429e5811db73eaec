/**
 * The scheduled weekly report end to end, as functions/weekly-report.ts wires it, over real local
 * parts: the history in DynamoDB Local, PutObject to a local S3 stand-in (SigV4-signed by the SDK,
 * path-style), the presigned link fetched back, and the line posted to a local webhook sink only
 * for the channel that opted in.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Sink, startS3Sink } from '../../infra/local/s3-sink.ts';
import { startWebhookSink, type WebhookSink } from '../../infra/local/webhook-sink.ts';
import { DEFAULT_RETRY, parseChannels } from '../../lib/notify/config.ts';
import { createPost } from '../../lib/notify/http.ts';
import { postWeeklySummary } from '../../lib/notify/weekly-post.ts';
import { summarize } from '../../lib/report/availability.ts';
import { buildReport } from '../../lib/report/build.ts';
import { type WeeklyReport, writeWeeklyReport } from '../../lib/report/weekly.ts';
import { previousIsoWeek, summaryText } from '../../lib/report/weekly-plan.ts';
import type { Store } from '../../lib/store/client.ts';
import { TARGET } from '../support/fixtures.ts';
import { writeHistoryWorld } from '../support/history-world.ts';
import { createTestStore, LOCAL_AWS_ENV } from '../support/store.ts';

// The history world's failures are on 1 November 2026, a Sunday: ISO week 2026-W44.
const NOW = new Date('2026-11-03T06:00:00.000Z');
const CONFIG = { bucket: 'weekly-bucket', prefix: 'reports/', linkSeconds: 2 * 3600 };
const selection = { targets: [TARGET] };

let store: Store;
let s3sink: S3Sink;
let chat: WebhookSink;
let s3: S3Client;

beforeAll(async () => {
  [store, s3sink, chat] = await Promise.all([createTestStore(), startS3Sink(), startWebhookSink()]);
  await writeHistoryWorld(store);
  s3 = new S3Client({
    endpoint: s3sink.endpoint,
    forcePathStyle: true,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  s3.destroy();
  await Promise.all([s3sink.close(), chat.close()]);
});

const channels = () =>
  parseChannels(
    JSON.stringify([
      { name: 'weekly', type: 'webhook', url: chat.url('/weekly'), secret: 's3cr3t', weeklyReport: true },
      { name: 'ops', type: 'slack', url: chat.url('/ops') },
      { name: 'quiet', type: 'webhook', url: chat.url('/quiet'), secret: 's3cr3t', weeklyReport: false },
    ]),
    'NOTIFY_CHANNELS',
    { allowPrivateHosts: true },
  );

/** What the handler does after the S3 write. */
const post = (r: WeeklyReport) =>
  postWeeklySummary(channels(), { ...r, key: r.messageKey, at: NOW.toISOString() }, DEFAULT_RETRY, {
    post: createPost({ allowPrivateHosts: true }),
    now: Date.now,
    sleep: async () => {},
    random: () => 0,
    buckets: new Map(),
  });

describe('weekly report', () => {
  let report: WeeklyReport;

  it('writes the previous ISO week’s report to S3 under the week’s key, as text/html', async () => {
    report = await writeWeeklyReport({ store, s3, selection, config: CONFIG, now: NOW });
    const week = previousIsoWeek(NOW);
    const expected = await buildReport(store, selection, week.window, NOW);
    expect(report.week).toBe('2026-W44');
    expect(report.key).toBe('reports/2026-W44.html');
    expect(s3sink.log).toEqual(['PUT /weekly-bucket/reports/2026-W44.html 200']);
    const stored = s3sink.objects.get('weekly-bucket/reports/2026-W44.html');
    expect(stored?.contentType).toBe('text/html; charset=utf-8');
    expect(stored?.body).toBe(expected.html);
    expect(report.bytes).toBe(Buffer.byteLength(expected.html));
    // The line's figures are the week's availability, and the week had failures.
    const s = summarize(expected.results.map((r) => r.row));
    expect(s.failures).toBeGreaterThan(0);
    expect(report.text).toBe(summaryText(week, s));
    expect(report.line).toBe(`${report.text} — ${report.link}`);
    expect(report.text).not.toContain('X-Amz');
  });

  it('links the object with a presigned GET that names bucket and key and expires after the configured hours', async () => {
    const url = new URL(report.link);
    expect(url.pathname).toBe('/weekly-bucket/reports/2026-W44.html');
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(2 * 3600));
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(report.expiresAt).toBe('2026-11-03T08:00:00.000Z');
    const res = await fetch(report.link);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(s3sink.objects.get('weekly-bucket/reports/2026-W44.html')?.body);
  });

  it('posts the one line with the link to the opted-in channel only, keyed by the report', async () => {
    const results = await post(report);
    expect(results).toEqual([{ channel: 'weekly', ok: true, reason: null }]);
    expect(chat.to('/ops')).toHaveLength(0);
    expect(chat.to('/quiet')).toHaveLength(0);
    const [sent, ...more] = chat.to('/weekly');
    expect(more).toHaveLength(0);
    const body = sent?.json as { summary: string; link: string; id: string };
    expect(body.summary).toBe(report.line);
    expect(body.summary).not.toContain('\n');
    expect(body.link).toBe(report.link);
    expect(sent?.headers['idempotency-key']).toBe('weekly-report:weekly-bucket/reports/2026-W44.html');
  });

  it('a retried run overwrites the same object and posts with the same idempotency key', async () => {
    const again = await writeWeeklyReport({
      store,
      s3,
      selection,
      config: CONFIG,
      now: new Date('2026-11-04T01:00:00Z'),
    });
    expect(again.key).toBe(report.key);
    expect([...s3sink.objects.keys()]).toEqual(['weekly-bucket/reports/2026-W44.html']);
    await post(again);
    const keys = chat.to('/weekly').map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual([report.messageKey, report.messageKey]);
  });
});
