/** Routing, pacing, retry steps and delivery records: the small pure rules. */
import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../../lib/backoff.ts';
import { globToRegExp } from '../../../lib/model/glob.ts';
import { DEFAULT_RETRY } from '../../../lib/notify/config.ts';
import { fullBucket, take } from '../../../lib/notify/pacing.ts';
import { deliveryState, failureRecord, isPending, parseDelivery } from '../../../lib/notify/record.ts';
import { nextStep } from '../../../lib/notify/retry.ts';
import { matchesTarget, routes } from '../../../lib/notify/routing.ts';
import { channel, event } from './fixtures.ts';

describe('routing', () => {
  it('globs are anchored, * and ? only', () => {
    expect(globToRegExp('cn-*').test('cn-north-4')).toBe(true);
    expect(globToRegExp('cn-*').test('xcn-north-4')).toBe(false);
    expect(globToRegExp('p?').test('p1')).toBe(true);
    expect(globToRegExp('p?').test('p12')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
  it('targets match region:projectId; * is everything', () => {
    expect(matchesTarget(['cn-north-4:*'], 'cn-north-4', 'p1')).toBe(true);
    expect(matchesTarget(['cn-north-4:p2', 'ap-*:p1'], 'cn-north-4', 'p1')).toBe(false);
    expect(matchesTarget(['*'], 'eu-west-101', 'x')).toBe(true);
  });
  it('a channel hears only its events, its targets, and recoveries unless switched off', () => {
    const failed = event();
    const recovered = event({ type: 'PEERING_RECOVERED' });
    const deleted = event({ type: 'CONNECTION_DELETED', region: 'ap-southeast-1' });
    expect(routes(channel(), failed)).toBe(true);
    expect(routes(channel({ events: ['CONNECTION_DELETED'] }), failed)).toBe(false);
    expect(routes(channel({ events: ['CONNECTION_DELETED'] }), deleted)).toBe(true);
    expect(routes(channel({ targets: ['cn-*:*'] }), deleted)).toBe(false);
    expect(routes(channel({ targets: ['cn-*:*'] }), failed)).toBe(true);
    expect(routes(channel({ recovered: false }), recovered)).toBe(false);
    expect(routes(channel({ recovered: true }), recovered)).toBe(true);
  });
});

describe('pacing (token bucket)', () => {
  const pace = { perMinute: 18, burst: 2 };
  it('lets a burst through, then spaces sends at the refill rate', () => {
    let b = fullBucket(pace, 0);
    const waits: number[] = [];
    let now = 0;
    for (let i = 0; i < 5; i++) {
      const r = take(b, pace, now);
      waits.push(r.waitMs);
      now += r.waitMs;
      b = r.bucket;
    }
    expect(waits).toEqual([0, 0, 3334, 3334, 3334]);
  });
  it('never allows more than burst + perMinute in any minute', () => {
    let b = fullBucket(pace, 0);
    let now = 0;
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const r = take(b, pace, now);
      now += r.waitMs;
      times.push(now);
      b = r.bucket;
    }
    for (const t of times)
      expect(times.filter((x) => x >= t && x < t + 60_000).length).toBeLessThanOrEqual(
        pace.burst + pace.perMinute,
      );
    // DingTalk's limit is 20 per minute.
    expect(pace.burst + pace.perMinute).toBeLessThanOrEqual(20);
  });
  it('refills while idle, up to the burst', () => {
    const r = take({ tokens: 0, at: 0 }, pace, 3_600_000);
    expect(r.waitMs).toBe(0);
    expect(r.bucket.tokens).toBe(1);
  });
});

describe('retry steps', () => {
  const fail = (retry: 'backoff' | 'never') => ({ ok: false as const, retry, reason: 'x' });
  it('stops at once on a permanent failure', () => {
    expect(nextStep(fail('never'), 1, DEFAULT_RETRY, () => 0.5)).toEqual({ stop: 'permanent' });
  });
  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffMs(1, DEFAULT_RETRY, () => 0.999)).toBe(499);
    expect(backoffMs(3, DEFAULT_RETRY, () => 0.999)).toBe(1998);
    expect(backoffMs(10, DEFAULT_RETRY, () => 0.999)).toBe(7992);
    expect(nextStep(fail('backoff'), 1, DEFAULT_RETRY, () => 0.5)).toEqual({ wait: 250 });
  });
  it('honours Retry-After up to the bound', () => {
    expect(
      nextStep({ ok: false, retry: 'after', afterMs: 5000, reason: 'HTTP 429' }, 1, DEFAULT_RETRY, () => 0),
    ).toEqual({ wait: 5000 });
    expect(
      nextStep(
        { ok: false, retry: 'after', afterMs: 600_000, reason: 'HTTP 429' },
        1,
        DEFAULT_RETRY,
        () => 0,
      ),
    ).toEqual({ stop: 'too-long' });
  });
  it('gives up after maxAttempts', () => {
    expect(nextStep(fail('backoff'), DEFAULT_RETRY.maxAttempts, DEFAULT_RETRY, () => 0)).toEqual({
      stop: 'exhausted',
    });
  });
});

describe('delivery records', () => {
  const at = '2026-11-28T10:00:00.000Z';
  it('parses tolerantly', () => {
    expect(parseDelivery({ a: { status: 'sent', at, attempts: 1 }, b: { status: 'weird' }, c: 3 })).toEqual({
      a: { status: 'sent', at, attempts: 1 },
    });
    expect(parseDelivery(undefined)).toEqual({});
  });
  it('counts attempts and parks after the budget, at once when permanent or in redeliver', () => {
    const opts = { at, maxAttempts: 3, mode: 'stream' as const };
    const r1 = failureRecord(undefined, { reason: 'HTTP 500', permanent: false }, opts);
    expect(r1).toEqual({ status: 'retrying', at, attempts: 1, reason: 'HTTP 500' });
    const r2 = failureRecord(r1, { reason: 'HTTP 500', permanent: false }, opts);
    expect(r2.status).toBe('retrying');
    expect(failureRecord(r2, { reason: 'HTTP 500', permanent: false }, opts)).toMatchObject({
      status: 'failed',
      attempts: 3,
    });
    expect(failureRecord(undefined, { reason: 'HTTP 404', permanent: true }, opts).status).toBe('failed');
    expect(
      failureRecord(undefined, { reason: 'HTTP 500', permanent: false }, { ...opts, mode: 'redeliver' })
        .status,
    ).toBe('failed');
  });
  it('a parked channel waits for redeliver', () => {
    const failed = { status: 'failed' as const, at, attempts: 3 };
    expect(isPending(failed, 'stream')).toBe(false);
    expect(isPending(failed, 'redeliver')).toBe(true);
    expect(isPending({ status: 'sent', at, attempts: 1 }, 'redeliver')).toBe(false);
    expect(isPending(undefined, 'stream')).toBe(true);
  });
  it('summarizes the event over its routed channels', () => {
    const sent = { status: 'sent' as const, at, attempts: 1 };
    expect(deliveryState({ a: sent, b: { status: 'suppressed', at, attempts: 0 } }, ['a', 'b'])).toBe(
      'delivered',
    );
    expect(deliveryState({ a: sent }, ['a', 'b'])).toBe('pending');
    expect(deliveryState({ a: sent, b: { status: 'failed', at, attempts: 3 } }, ['a', 'b'])).toBe('failed');
    expect(deliveryState({}, [])).toBe('delivered');
  });
});
