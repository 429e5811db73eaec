/**
 * The sweep's completeness promise, over the real emulator over HTTP: whatever page size is asked
 * (1..1000), whatever page size the server actually serves (no cap, 1, 7, 10, 100), whichever meaning
 * `count` has (total or page size) and whatever the concurrency, a sweep is complete and returns
 * exactly the N connections, each once, in the API's order. (A sweep that ended at the first page
 * shorter than asked turned 150 of 250 live connections into tombstones behind a cap of 100.)
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DliEmulator, startDliEmulator } from '../../../infra/local/dli-emulator.ts';
import { makeConnections } from '../../../infra/local/emulator-data.ts';
import { closeDliPools } from '../../../lib/dli/client.ts';
import { sweepTarget } from '../../../lib/dli/sweep.ts';
import type { Credentials } from '../../../lib/dli/types.ts';
import type { Target } from '../../../lib/model/schemas.ts';

const AK = 'PROPAK0000000000001';
const SK = 'prop-secret-key-000000000000001';
const PROJECT = '9r0p0000000000000000000000000001';
const credentials: Credentials = { kind: 'aksk', ak: AK, sk: SK };
/** Up to 350 connections: with a cap of 1 that is 351 requests, the slowest case. */
const MAX_N = 350;
const NUM_RUNS = Number(process.env.SWEEP_PROPERTY_RUNS ?? 50);

let emu: DliEmulator;
let target: Target;
const datasets = new Map<number, string[]>();

beforeAll(async () => {
  emu = await startDliEmulator({ credentials: { [AK]: SK } });
  target = { region: 'cn-north-4', projectId: PROJECT, endpoint: emu.url };
});
afterAll(async () => {
  await closeDliPools();
  await emu.close();
});

/** Loads N connections (the same ones for the same N) and returns their ids in API order. */
function load(n: number): string[] {
  const data = makeConnections(n, { seed: 1_000 + n, peeringsPerConnection: 1 });
  emu.setConnections(PROJECT, data);
  if (!datasets.has(n))
    datasets.set(
      n,
      data.map((r) => String(r.id)),
    );
  return datasets.get(n)!;
}

const scenario = fc.record({
  n: fc.oneof(fc.integer({ min: 0, max: MAX_N }), fc.constantFrom(0, 1, 2, 99, 100, 101, 199, 250)),
  pageSize: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(1, 2, 7, 10, 99, 100, 101, 1000)),
  cap: fc.constantFrom<number | undefined>(undefined, 1, 7, 10, 100),
  countMode: fc.constantFrom<'total' | 'page'>('total', 'page'),
  concurrency: fc.integer({ min: 1, max: 4 }),
});

describe('sweep completeness under page caps', () => {
  it('lists exactly the N connections, each once, for any page size, cap, count meaning and concurrency', async () => {
    let runs = 0;
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(scenario, async ({ n, pageSize, cap, countMode, concurrency }) => {
        runs++;
        const expected = load(n);
        emu.setFaults({ countMode, ...(cap === undefined ? {} : { maxPageSize: cap }) });
        const result = await sweepTarget(target, { credentials, pageSize, concurrency, maxPages: 2_000 });
        expect(result.error).toBeNull();
        expect(result.complete).toBe(true);
        expect(result.records.map((r) => (r as { id: string }).id)).toEqual(expected);
      }),
      { numRuns: NUM_RUNS, seed: Number(process.env.SWEEP_PROPERTY_SEED ?? 20261130), endOnFailure: true },
    );
    console.log(`sweep property: ${runs} runs in ${Math.round(performance.now() - started)} ms`);
  }, 120_000);

  it('lists all 250 behind a cap of 100 with DLI_PAGE_SIZE=1000, count as the page size (the issue)', async () => {
    const expected = load(250);
    emu.setFaults({ countMode: 'page', maxPageSize: 100 });
    emu.resetRequests();
    const result = await sweepTarget(target, { credentials, pageSize: 1000, concurrency: 1 });
    expect(result.error).toBeNull();
    expect(result.complete).toBe(true);
    expect(result.records.map((r) => (r as { id: string }).id)).toEqual(expected);
    // Pages at 0, 99, 198 (52 records), then the page at the last record proves the end.
    expect(result.requests).toBe(4);
  });

  it('lists all 250 behind a cap of 100 with DLI_PAGE_SIZE=1000, count as the total', async () => {
    const expected = load(250);
    emu.setFaults({ countMode: 'total', maxPageSize: 100 });
    const result = await sweepTarget(target, { credentials, pageSize: 1000, concurrency: 4 });
    expect(result.complete).toBe(true);
    expect(result.records.map((r) => (r as { id: string }).id)).toEqual(expected);
    // count (250) differs from the first page's size (100): a total, which plans and ends the sweep.
    expect(result.requests).toBe(3);
  });

  it('uses neither limit=0 nor trusts it: a server ignoring limit=0 changes nothing', async () => {
    const expected = load(120);
    emu.setFaults({ limitZero: 'ignore', countMode: 'page' });
    const seen: number[] = [];
    emu.onListRequest(({ limit }) => seen.push(limit));
    const result = await sweepTarget(target, { credentials, pageSize: 50, concurrency: 2 });
    emu.onListRequest(null);
    expect(result.complete).toBe(true);
    expect(result.records.map((r) => (r as { id: string }).id)).toEqual(expected);
    expect(seen.every((l) => l === 50)).toBe(true);
  });
});
