/** [deploy] The fan-out rules (lib/sync/fanout.ts) and the schedule configuration: pure, no I/O. */
import type { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { loadScheduleConfig, parseRate } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import type { Target } from '../../lib/model/schemas.ts';
import {
  chooseMode,
  configuredTarget,
  enqueueTargets,
  fanoutMessage,
  inlineCapacity,
  isExpired,
  parseFanoutMessage,
  staleness,
} from '../../lib/sync/fanout.ts';

const target = (i: number): Target => ({ region: 'cn-north-4', projectId: `p${i}`, endpoint: 'https://x' });

describe('[deploy] when the schedule fans out', () => {
  it('sweeps inline only what is certain to finish before the invocation times out', () => {
    // Defaults: 4 at a time, 600 s deadline, 900 s Lambda: one wave of 4.
    expect(inlineCapacity({ targetConcurrency: 4, sweepDeadlineMs: 600_000, remainingMs: 900_000 })).toBe(4);
    expect(inlineCapacity({ targetConcurrency: 4, sweepDeadlineMs: 60_000, remainingMs: 900_000 })).toBe(28);
    expect(inlineCapacity({ targetConcurrency: 4, sweepDeadlineMs: 600_000, remainingMs: 100_000 })).toBe(0);
  });

  it('fans out above the threshold, or above the capacity when no threshold is set, and never without a queue', () => {
    const q = 'https://sqs.eu-west-1.amazonaws.com/123456789012/q';
    expect(chooseMode({ targets: 50, threshold: 1, capacity: 1, queueUrl: null })).toBe('inline');
    expect(chooseMode({ targets: 6, threshold: 5, capacity: 100, queueUrl: q })).toBe('fanout');
    expect(chooseMode({ targets: 5, threshold: 5, capacity: 0, queueUrl: q })).toBe('inline');
    expect(chooseMode({ targets: 5, threshold: null, capacity: 4, queueUrl: q })).toBe('fanout');
    expect(chooseMode({ targets: 4, threshold: null, capacity: 4, queueUrl: q })).toBe('inline');
    expect(chooseMode({ targets: 9, threshold: null, capacity: null, queueUrl: q })).toBe('inline');
    expect(chooseMode({ targets: 1, threshold: 0, capacity: null, queueUrl: q })).toBe('fanout');
  });
});

describe('[deploy] fan-out messages', () => {
  const now = new Date('2026-05-01T10:00:00.000Z');

  it('round-trips, expires after one interval, and rejects anything else', () => {
    const m = fanoutMessage(target(1), now, 15 * 60_000);
    expect(m).toEqual({
      v: 1,
      region: 'cn-north-4',
      projectId: 'p1',
      enqueuedAt: '2026-05-01T10:00:00.000Z',
      notAfter: '2026-05-01T10:15:00.000Z',
    });
    expect(parseFanoutMessage(JSON.stringify(m))).toEqual(m);
    expect(isExpired(m, Date.parse('2026-05-01T10:14:59Z'))).toBe(false);
    expect(isExpired(m, Date.parse('2026-05-01T10:15:01Z'))).toBe(true);
    expect(parseFanoutMessage('not json')).toBeNull();
    expect(parseFanoutMessage(JSON.stringify({ ...m, extra: 1 }))).toBeNull();
    expect(parseFanoutMessage(JSON.stringify({ ...m, v: 2 }))).toBeNull();
  });

  it('names a configured target or none: the worker sweeps nothing else', () => {
    const configured = [target(1), target(2)];
    const m = fanoutMessage(target(2), now, 60_000);
    expect(configuredTarget(m, configured)).toBe(configured[1]);
    expect(configuredTarget({ ...m, projectId: 'p3' }, configured)).toBeNull();
    expect(configuredTarget({ ...m, region: 'ap-southeast-1' }, configured)).toBeNull();
    expect(configuredTarget(m, [])).toBeNull();
  });

  it('enqueues in batches of 10 and retries the entries SQS refused, once', async () => {
    const calls: number[] = [];
    let refuse = 2; // the first call refuses its first two entries; the retry takes them
    const sqs = {
      send: async (cmd: SendMessageBatchCommand) => {
        const entries = cmd.input.Entries ?? [];
        calls.push(entries.length);
        const failed = entries.slice(0, refuse).map((e) => ({ Id: e.Id, SenderFault: false, Code: 'x' }));
        refuse = 0;
        return { Successful: entries.slice(failed.length).map((e) => ({ Id: e.Id })), Failed: failed };
      },
    };
    const targets = Array.from({ length: 23 }, (_, i) => target(i));
    const out = await enqueueTargets(sqs as never, 'https://q', targets, now, 60_000);
    expect(out).toEqual({ enqueued: 23, failed: [] });
    expect(calls).toEqual([10, 10, 3, 2]);
  });

  it('reports targets SQS refused twice', async () => {
    const sqs = {
      send: async (cmd: SendMessageBatchCommand) => ({
        Successful: [],
        Failed: (cmd.input.Entries ?? []).map((e) => ({ Id: e.Id, SenderFault: false, Code: 'x' })),
      }),
    };
    const out = await enqueueTargets(sqs as never, 'https://q', [target(1), target(2)], now, 60_000);
    expect(out).toEqual({ enqueued: 0, failed: ['cn-north-4:p1', 'cn-north-4:p2'] });
  });
});

describe('[deploy] staleness', () => {
  it('counts targets whose newest complete sweep is too old; never-swept targets are listed, not counted', () => {
    const now = Date.parse('2026-05-01T12:00:00Z');
    const s = staleness(
      new Map([
        ['a', '2026-05-01T11:50:00Z'],
        ['b', '2026-05-01T10:00:00Z'],
        ['c', null],
      ]),
      now,
      45 * 60_000,
    );
    expect(s).toEqual({ stale: ['b'], neverSwept: ['c'], oldestAgeSeconds: 7200 });
    expect(staleness(new Map([['c', null]]), now, 1)).toEqual({
      stale: [],
      neverSwept: ['c'],
      oldestAgeSeconds: null,
    });
  });
});

describe('[deploy] schedule configuration', () => {
  it('reads EventBridge rates', () => {
    expect(parseRate('rate(15 minutes)', 'X')).toBe(900_000);
    expect(parseRate('rate(1 hour)', 'X')).toBe(3_600_000);
    expect(parseRate('rate(2 days)', 'X')).toBe(172_800_000);
    for (const bad of ['rate(0 minutes)', 'cron(0 * * * ? *)', 'rate(5 weeks)', '15'])
      expect(() => parseRate(bad, 'SYNC_SCHEDULE_RATE')).toThrow(ConfigError);
  });

  it('defaults to inline with a derived threshold, and rejects a queue URL that is not one', () => {
    expect(loadScheduleConfig({})).toEqual({
      fanoutQueueUrl: null,
      fanoutThreshold: null,
      intervalMs: 900_000,
      staleAfterIntervals: 3,
      remindAfterMs: 4 * 3_600_000,
    });
    expect(
      loadScheduleConfig({
        SYNC_FANOUT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dli-sync-prod-fanout',
        SYNC_FANOUT_THRESHOLD: '10',
        SYNC_SCHEDULE_RATE: 'rate(5 minutes)',
        SYNC_STALE_AFTER_INTERVALS: '4',
      }),
    ).toEqual({
      fanoutQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dli-sync-prod-fanout',
      fanoutThreshold: 10,
      intervalMs: 300_000,
      staleAfterIntervals: 4,
      remindAfterMs: 4 * 3_600_000,
    });
    expect(() => loadScheduleConfig({ SYNC_FANOUT_QUEUE_URL: 'http://example.com/q' })).toThrow(
      /SYNC_FANOUT_QUEUE_URL/,
    );
    expect(() => loadScheduleConfig({ SYNC_FANOUT_THRESHOLD: 'many' })).toThrow(/SYNC_FANOUT_THRESHOLD/);
  });
});
