/**
 * Promise: whatever DynamoDB answers (throttling, a cancelled transaction, a lost response, a slow
 * table), every change is either retried until it is stored or the run says it failed; nothing is
 * silently dropped, and once the fault is gone the next run converges to what an undisturbed run
 * stores. Faults are injected at the protocol edge (test/support/ddb-faults.ts): the SDK sees real
 * service answers and applies its real retry policy (the Store's: 8 attempts).
 */
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import type { RunRecord } from '../../lib/model/schemas.ts';
import { type DdbFault, injectDdbFaults, throttle } from '../support/ddb-faults.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { dumpTable } from '../support/secrets-scan.ts';
import { type Case, newCase, type Raw, restore, SMALL, scenarioSteps, step } from './scenario.ts';
import { at, type Canon, canonical, differences, expireLease, faultMatrix, lostEvents } from './support.ts';

let h: Harness;
const matrix = faultMatrix(import.meta.filename);
const steps = scenarioSteps(SMALL);
const WHEN = at(2);
const LATER = at(3);
let projectId: string;
let baseline: Record<string, unknown>[];
let reference: Canon;

beforeAll(async () => {
  h = await startHarness();
  // The world after step 1, and the reference: step 2 without any fault.
  const ref = await newCase(h.config);
  projectId = ref.projectId;
  expect((await step(h.dli, ref, steps[0] as Raw[], at(1))).ok).toBe(true);
  baseline = await dumpTable(ref.store);
  expect((await step(h.dli, ref, steps[1] as Raw[], WHEN)).ok).toBe(true);
  reference = await canonical(ref.store, [WHEN]);
});
afterAll(async () => {
  matrix.flush();
  await h.close();
});

/** The step-1 world in a fresh table, with the fault injector on its client. */
async function world(): Promise<Case & { faults: ReturnType<typeof injectDdbFaults> }> {
  const c = await newCase(h.config, projectId);
  await restore(c.store, baseline);
  return { ...c, faults: injectDdbFaults(c.store) };
}

/** After the faulted run (and a clean rerun when asked), the table must equal the reference. */
async function converges(c: Case, times: Date[], category: string, runs: number, faults: number) {
  const got = await canonical(c.store, times);
  expect(differences(reference, got)).toEqual([]);
  matrix.add(category, {
    faults,
    runs,
    eventsChecked: reference.events.length,
    lost: lostEvents(reference, got),
    duplicated: got.duplicated,
  });
}

// The SDK's full-jitter backoff draws each delay as random() × cap: pinning the draw low keeps the
// policy (attempts, error classes, retry quota) and spares the suite seconds of sleeping.
let random: MockInstance<() => number>;
beforeEach(() => {
  random = vi.spyOn(Math, 'random').mockReturnValue(0.002);
});
afterEach(() => {
  random.mockRestore();
});

describe('retried until stored', () => {
  it('throttling of every kind of request, the lease 4 times in a row: retried by the Store policy', async () => {
    const c = await world();
    // The first PutItem is the lease: 4 throttles in a row on one request are more than the SDK's
    // default 3 attempts, so only the Store's own retry policy rides this out.
    c.faults.add(throttle(4, ['PutItem']));
    for (const op of ['TransactWriteItems', 'UpdateItem', 'Query', 'BatchGetItem'])
      c.faults.add(throttle(2, [op]));
    const res = await c.sync(WHEN);
    const run = res.runs[0] as RunRecord;
    expect(run, run.error ?? '').toMatchObject({ outcome: 'complete', events: 5 });
    const injected = c.faults.injected.length;
    expect(injected).toBe(12);
    await converges(c, [WHEN], 'throttling (ProvisionedThroughputExceeded), retried', 1, injected);
  });

  it('a transaction cancelled for a condition that a conflicting writer broke is retried per connection', async () => {
    const c = await world();
    // The first attempt of the first group fails as if another writer had changed its first connection
    // (action 0 is the run's lease check, action 1 that connection's state).
    c.faults.add({
      kind: { type: 'cancel', codes: ['None', 'ConditionalCheckFailed'] },
      ops: ['TransactWriteItems'],
      times: 1,
    });
    const run = (await c.sync(WHEN)).runs[0] as RunRecord;
    expect(run, run.error ?? '').toMatchObject({ outcome: 'complete' });
    await converges(c, [WHEN], 'TransactionCanceled (ConditionalCheckFailed), re-diffed', 1, 1);
  });

  it('responses lost after the writes were applied (a transaction, a put, an update): retries find them done', async () => {
    const c = await world();
    for (const op of ['TransactWriteItems', 'PutItem', 'UpdateItem'])
      c.faults.add({ kind: { type: 'lost-response' }, ops: [op], times: 1 });
    const run = (await c.sync(WHEN)).runs[0] as RunRecord;
    expect(run.outcome, run.error ?? '').toBe('complete');
    expect(c.faults.injected.map((f) => f.op).sort()).toEqual([
      'PutItem',
      'TransactWriteItems',
      'UpdateItem',
    ]);
    // The lease was released despite its lost answer: the next run is not locked out.
    expect((await c.sync(LATER)).runs[0]?.outcome).toBe('complete');
    await converges(c, [WHEN], 'response lost after the write (500), retried', 2, 3);
  });

  it('unprocessed keys from BatchGetItem (three answers in a row) are asked for again', async () => {
    const c = await world();
    c.faults.add({ kind: { type: 'unprocessed' }, ops: ['BatchGetItem'], times: 3 });
    const run = (await c.sync(WHEN)).runs[0] as RunRecord;
    expect(run, run.error ?? '').toMatchObject({ outcome: 'complete' });
    await converges(c, [WHEN], 'unprocessed keys (BatchGetItem), retried', 1, 3);
    expect(c.faults.injected).toHaveLength(3);
  });

  it('a slow table (80 ms per request) still completes with the same result', async () => {
    const c = await world();
    c.faults.add({ kind: { type: 'slow', ms: 80 } });
    const run = (await c.sync(WHEN)).runs[0] as RunRecord;
    expect(run.outcome).toBe('complete');
    await converges(c, [WHEN], 'slow table (80 ms per request)', 1, c.faults.injected.length);
  });
});

describe('surfaced when retries cannot help, repaired by the next run', () => {
  const cases: [string, DdbFault, RegExp][] = [
    [
      'throttling that outlasts the retries',
      throttle(Number.POSITIVE_INFINITY, ['TransactWriteItems']),
      /ProvisionedThroughputExceeded|throughput/i,
    ],
    [
      'a transaction conflict (another transaction on the same item)',
      { kind: { type: 'cancel', codes: ['TransactionConflict'] }, ops: ['TransactWriteItems'] },
      /TransactionConflict/,
    ],
    [
      'transactional throttling',
      { kind: { type: 'cancel', codes: ['None', 'ThrottlingError'] }, ops: ['TransactWriteItems'] },
      /ThrottlingError/,
    ],
  ];
  for (const [name, fault, message] of cases) {
    it(`${name}: the run record says failed and why; the next run stores everything`, async () => {
      const c = await world();
      c.faults.add(fault);
      const res = await c.sync(WHEN);
      const run = res.runs[0] as RunRecord;
      expect(res.ok).toBe(false);
      expect(run).toMatchObject({ outcome: 'failed', events: 0 });
      expect(run.error).toMatch(message);
      expect(run.error).not.toMatch(/\n/);
      c.faults.clear();
      // Had the release failed too, the lease would run out by itself; the next schedule is later.
      await expireLease(c.store, c.target);
      const next = (await c.sync(LATER)).runs[0] as RunRecord;
      expect(next.outcome).toBe('complete');
      await converges(c, [WHEN, LATER], `${name}, surfaced then repaired`, 2, c.faults.injected.length);
    });
  }

  it('the sync writes only with single-item or transactional requests: no batch write can leave items unprocessed', async () => {
    const c = await newCase(h.config);
    const faults = injectDdbFaults(c.store);
    for (const [i, records] of steps.entries()) await step(h.dli, c, records, at(i + 1));
    const ops = [...faults.requests.keys()].sort();
    const writes = ops.filter((op) => !['BatchGetItem', 'GetItem', 'Query'].includes(op));
    expect(writes).toEqual(['PutItem', 'TransactWriteItems', 'UpdateItem']);
    matrix.add('unprocessed items (the sync never writes with BatchWriteItem)', { runs: steps.length });
  });
});
