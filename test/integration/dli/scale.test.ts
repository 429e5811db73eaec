/**
 * 10,000 connections at 50 ms per page: the sweep is exact, and page concurrency pays. Wall times at
 * concurrency 1 and at the default are measured in the same run and printed (`DLI sweep scale:`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DliEmulator, startDliEmulator } from '../../../infra/local/dli-emulator.ts';
import { makeConnections } from '../../../infra/local/emulator-data.ts';
import { closeDliPools } from '../../../lib/dli/client.ts';
import { DEFAULT_CONCURRENCY, sweepTarget } from '../../../lib/dli/sweep.ts';
import type { Credentials, SweepResult } from '../../../lib/dli/types.ts';
import type { Target } from '../../../lib/model/schemas.ts';

const AK = 'SCALEAK000000000001';
const SK = 'scale-secret-key-00000000000001';
const PROJECT = '5ca1e000000000000000000000000010';
const N = 10_000;
const LATENCY_MS = 50;
const credentials: Credentials = { kind: 'aksk', ak: AK, sk: SK };

let emu: DliEmulator;
let target: Target;
let expectedIds: string[];

beforeAll(async () => {
  emu = await startDliEmulator({ credentials: { [AK]: SK }, latencyMs: LATENCY_MS });
  target = { region: 'cn-north-4', projectId: PROJECT, endpoint: emu.url };
  const data = makeConnections(N, { seed: 10_000 });
  expectedIds = data.map((r) => String(r.id));
  emu.setConnections(PROJECT, data);
});
afterAll(async () => {
  await closeDliPools();
  await emu.close();
});

async function timed(concurrency: number): Promise<{ result: SweepResult; ms: number }> {
  const started = performance.now();
  const result = await sweepTarget(target, { credentials, pageSize: 100, concurrency });
  return { result, ms: Math.round(performance.now() - started) };
}

describe('scale', () => {
  it(`sweeps ${N} connections at ${LATENCY_MS} ms per page exactly, faster with concurrency`, async () => {
    const serial = await timed(1);
    const parallel = await timed(DEFAULT_CONCURRENCY);
    emu.setFaults({ countMode: 'page' });
    const speculative = await timed(DEFAULT_CONCURRENCY);
    for (const { result } of [serial, parallel, speculative]) {
      expect(result.error).toBeNull();
      expect(result.complete).toBe(true);
      expect(result.records.map((r) => (r as { id: string }).id)).toEqual(expectedIds);
    }
    // 10,000 records, 100 per page overlapping by one: 101 pages, the last ending where count (a total)
    // says. Without a total, one more page proves the end, and speculation wastes at most concurrency-1.
    expect(serial.result.requests).toBe(101);
    expect(parallel.result.requests).toBe(101);
    expect(speculative.result.requests).toBeLessThanOrEqual(101 + 1 + DEFAULT_CONCURRENCY - 1);
    expect(serial.ms).toBeGreaterThanOrEqual(101 * LATENCY_MS);
    expect(parallel.ms).toBeLessThan(serial.ms / 2);
    console.log(
      `DLI sweep scale: ${N} connections, ${LATENCY_MS} ms/page, 100/page: ` +
        `concurrency 1 = ${serial.ms} ms (${serial.result.requests} requests); ` +
        `concurrency ${DEFAULT_CONCURRENCY} (count as total) = ${parallel.ms} ms (${parallel.result.requests} requests); ` +
        `concurrency ${DEFAULT_CONCURRENCY} (count as page size, speculative) = ${speculative.ms} ms (${speculative.result.requests} requests)`,
    );
  }, 60_000);
});
