/**
 * Every emulator fault, one at a time: the sweep either returns the complete, exact listing or says
 * complete:false with a typed error. Never a silently short or doubled listing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DliEmulator, startDliEmulator } from '../../../infra/local/dli-emulator.ts';
import { makeConnections } from '../../../infra/local/emulator-data.ts';
import { closeDliPools } from '../../../lib/dli/client.ts';
import { type SweepTuning, sweepTarget } from '../../../lib/dli/sweep.ts';
import type { Credentials, SweepOptions, SweepResult } from '../../../lib/dli/types.ts';
import type { Target } from '../../../lib/model/schemas.ts';

const AK = 'FAULTAK000000000001';
const SK = 'fault-secret-key-0000000000001';
const PROJECT = 'fa0170000000000000000000000000aa';
const credentials: Credentials = { kind: 'aksk', ak: AK, sk: SK };
const INF = Number.POSITIVE_INFINITY;

let emu: DliEmulator;
let target: Target;
let data: Record<string, unknown>[];

beforeAll(async () => {
  emu = await startDliEmulator({ credentials: { [AK]: SK } });
  target = { region: 'ap-southeast-1', projectId: PROJECT, endpoint: emu.url };
});
afterAll(async () => {
  await closeDliPools();
  await emu.close();
});
beforeEach(() => {
  emu.setFaults({});
  emu.onListRequest(null);
  emu.resetRequests();
  data = makeConnections(250, { seed: 11 });
  emu.setConnections(PROJECT, data);
});

const ids = (r: SweepResult): string[] => r.records.map((x) => (x as { id: string }).id);
const idsOf = (records: unknown[]): string[] => records.map((x) => (x as { id: string }).id);
/** Backoff shortened so retry tests stay fast; Retry-After is still honoured as given. */
const sweep = (extra: Partial<SweepOptions & SweepTuning> = {}) =>
  sweepTarget(target, {
    credentials,
    pageSize: 100,
    client: { retry: { baseDelayMs: 5, maxDelayMs: 20 } },
    ...extra,
  });

/** The emulator's current data in API order (creation time), to compare a sweep with. */
const current = (): unknown[] =>
  emu
    .getConnections(PROJECT)
    .sort((a, b) => (a as { create_time: number }).create_time - (b as { create_time: number }).create_time);

function expectExact(result: SweepResult, expected: unknown[] = current()): void {
  expect(result.error).toBeNull();
  expect(result.complete).toBe(true);
  expect(ids(result)).toEqual(idsOf(expected));
}

describe('retries', () => {
  it('honours Retry-After in seconds on a 429', async () => {
    emu.setFaults({ rateLimit: { times: 1, retryAfter: '1' } });
    const started = performance.now();
    const result = await sweep({ concurrency: 1 });
    const elapsed = performance.now() - started;
    expectExact(result);
    expect(result.requests).toBe(4);
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(2_500);
    console.log(`DLI Retry-After: 1 (seconds) -> sweep took ${Math.round(elapsed)} ms`);
  });

  it('honours Retry-After as an HTTP date on a 429', async () => {
    // HTTP dates have whole seconds: the next whole second plus two is 2 to 3 s from now.
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000).toUTCString();
    emu.setFaults({ rateLimit: { times: 1, retryAfter: at } });
    const started = performance.now();
    const result = await sweep({ concurrency: 1 });
    const elapsed = performance.now() - started;
    expectExact(result);
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(3_700);
    console.log(`DLI Retry-After: ${at} (HTTP date) -> sweep took ${Math.round(elapsed)} ms`);
  });

  it('gives up after the bounded attempts on a persistent 429', async () => {
    emu.setFaults({ rateLimit: { times: INF, retryAfter: '0' } });
    const result = await sweep();
    expect(result.complete).toBe(false);
    expect(result.error?.details).toMatchObject({
      httpStatus: 429,
      errorCode: 'APIG.0308',
      retryable: true,
    });
    expect(result.requests).toBe(4);
  });

  it('does not wait for a Retry-After beyond the deadline', async () => {
    emu.setFaults({ rateLimit: { times: 1, retryAfter: '30' } });
    const started = performance.now();
    const result = await sweep({ deadline: Date.now() + 2_000 });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result.complete).toBe(false);
    expect(result.error?.details.httpStatus).toBe(429);
  });

  it('retries 500s and recovers', async () => {
    emu.setFaults({ serverError: { times: 2 } });
    const result = await sweep({ concurrency: 1 });
    expectExact(result);
    expect(result.requests).toBe(5);
  });

  it('retries an HTML 502 page, and reports it when it persists', async () => {
    emu.setFaults({ badGateway: { times: 1 } });
    expectExact(await sweep());
    emu.setFaults({ badGateway: { times: INF } });
    const result = await sweep();
    expect(result.complete).toBe(false);
    expect(result.error?.message).toMatch(
      /HTTP 502, no error_code: non-JSON error body \(text\/html, \d+ chars\) \(request id [0-9a-f]{32}\)$/,
    );
  });

  it('retries a truncated body (cleanly ended, and cut by a dropped connection)', async () => {
    emu.setFaults({ truncated: { times: 1, mode: 'json' } });
    expectExact(await sweep());
    emu.setFaults({ truncated: { times: 1, mode: 'socket' } });
    expectExact(await sweep());
    emu.setFaults({ truncated: { times: INF } });
    const result = await sweep();
    expect(result.complete).toBe(false);
    expect(result.error?.message).toContain('unparseable response body');
  });

  it('times out a slow page, retries it, and respects the deadline', async () => {
    emu.setFaults({ slow: { times: 1, ms: 1_500 } });
    const result = await sweep({ concurrency: 1, client: { readTimeoutMs: 300, retry: { baseDelayMs: 5 } } });
    expectExact(result);
    expect(result.requests).toBe(4);

    emu.setFaults({ slow: { times: INF, ms: 1_500 } });
    const started = performance.now();
    const late = await sweep({ deadline: Date.now() + 400 });
    expect(performance.now() - started).toBeLessThan(1_200);
    expect(late.complete).toBe(false);
    expect(late.error?.message).toContain('deadline');
  });

  it('does not retry is_success:false', async () => {
    emu.setFaults({ isSuccessFalse: { times: 1 } });
    const result = await sweep();
    expect(result.complete).toBe(false);
    expect(result.requests).toBe(1);
    expect(result.error?.message).toContain(`ap-southeast-1/${PROJECT}`);
  });
});

describe('paging', () => {
  it('uses count as a total to plan exactly the pages needed', async () => {
    const result = await sweep({ concurrency: 4 });
    expectExact(result);
    expect(result.requests).toBe(3);
  });

  it('still sweeps completely when count is only the page size', async () => {
    emu.setFaults({ countMode: 'page' });
    const result = await sweep({ concurrency: 4 });
    expectExact(result);
    // 3 pages, the page at the last record that proves the end (a short page does not), and
    // speculation past the end: at most concurrency-1 requests.
    expect(result.requests).toBeGreaterThanOrEqual(4);
    expect(result.requests).toBeLessThanOrEqual(4 + 3);
  });

  it('keeps at most `concurrency` page requests in flight', async () => {
    const big = await startDliEmulator({ credentials: { [AK]: SK }, latencyMs: 20 });
    try {
      big.setConnections(PROJECT, makeConnections(2_000, { seed: 2 }));
      const result = await sweepTarget(
        { ...target, endpoint: big.url },
        { credentials, pageSize: 50, concurrency: 3 },
      );
      expect(result.complete).toBe(true);
      expect(result.records).toHaveLength(2_000);
      expect(big.maxConcurrent()).toBe(3);
    } finally {
      await big.close();
    }
  });

  it('repairs a deletion between two page requests by sweeping again', async () => {
    const gone = String(data[10]!.id);
    emu.setFaults({ mutate: { afterRequests: 1, projectId: PROJECT, deleteIds: [gone] } });
    const result = await sweep({ concurrency: 1 });
    expectExact(result);
    expect(ids(result)).not.toContain(gone);
    expect(result.records).toHaveLength(249);
    // The shift shows on the second page, which ends the first attempt; the second takes 3 pages.
    expect(result.requests).toBe(2 + 3);
  });

  it('includes a connection created at the end between two page requests', async () => {
    const [created] = makeConnections(1, { seed: 99, startTime: Date.UTC(2030, 0, 1) });
    emu.setFaults({ mutate: { afterRequests: 1, projectId: PROJECT, create: [created] } });
    const result = await sweep({ concurrency: 1 });
    expectExact(result);
    expect(result.records).toHaveLength(251);
    // count changed between pages (250, then 251), so it proves nothing: the page at the last
    // record does.
    expect(result.requests).toBe(4);
  });

  it('repairs a connection inserted before already-read pages (a descending or skewed order)', async () => {
    const [created] = makeConnections(1, { seed: 98, startTime: Date.UTC(2000, 0, 1) });
    emu.setFaults({ mutate: { afterRequests: 2, projectId: PROJECT, create: [created] } });
    const result = await sweep({ concurrency: 1 });
    expectExact(result);
    expect(result.records).toHaveLength(251);
    expect(result.requests).toBe(6);
  });

  it('says incomplete when the listing keeps shifting', async () => {
    emu.onListRequest(({ n }) => {
      if (n % 2 === 0) {
        const current = emu.getConnections(PROJECT);
        emu.setConnections(PROJECT, current.slice(1));
      }
    });
    const result = await sweep({ concurrency: 1 });
    expect(result.complete).toBe(false);
    expect(result.error?.message).toMatch(/listing shifted between pages .*, again on a second sweep$/);
    expect(result.error?.details.retryable).toBe(true);
  });

  it('says incomplete when a total count disagrees with the listing, even after a second sweep', async () => {
    emu.setFaults({ countDelta: 5 });
    const result = await sweep({ concurrency: 2 });
    expect(result.complete).toBe(false);
    expect(result.error?.message).toContain(
      'count says 255 connections but 250 were listed, again on a second sweep',
    );
    // Each sweep: 3 pages, then the page at the last record proves the end, and count is held against it.
    expect(result.requests).toBe(2 * 4);
  });

  it('detects a server that ignores offset, quickly and clearly', async () => {
    emu.setFaults({ ignoreOffset: true, countMode: 'page' });
    const result = await sweep({ concurrency: 4 });
    expect(result.complete).toBe(false);
    expect(result.error?.message).toContain('the server ignores offset');
    expect(result.error?.details.retryable).toBe(false);
    expect(result.requests).toBeLessThanOrEqual(5);
  });

  it('bounds the number of pages', async () => {
    const planned = await sweep({ pageSize: 10, maxPages: 5 });
    expect(planned.complete).toBe(false);
    expect(planned.error?.message).toContain('more than 5 pages');
    expect(planned.requests).toBe(1);
    emu.setFaults({ countMode: 'page' });
    const speculative = await sweep({ pageSize: 10, maxPages: 5, concurrency: 2 });
    expect(speculative.complete).toBe(false);
    expect(speculative.error?.message).toContain('more than 5 pages');
    expect(speculative.requests).toBe(5);
  });
});
