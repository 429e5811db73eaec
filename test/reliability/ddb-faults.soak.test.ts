/**
 * Soak (npm run test:soak): random mixes of DynamoDB faults on every kind of request, then (if the
 * run gave up) a clean run; the table must end as an undisturbed run leaves it. And unprocessed keys
 * that never clear: surfaced after the reader's 11 attempts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../../lib/errors.ts';
import type { RunRecord } from '../../lib/model/schemas.ts';
import { type DdbFault, injectDdbFaults } from '../support/ddb-faults.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { dumpTable } from '../support/secrets-scan.ts';
import { newCase, type Raw, restore, scenarioSteps, step } from './scenario.ts';
import { at, type Canon, canonical, differences, expireLease, faultMatrix, lostEvents } from './support.ts';

const RUNS = Number(process.env.SOAK_RUNS ?? 40);
let h: Harness;
const matrix = faultMatrix(import.meta.filename);
const steps = scenarioSteps();
let projectId: string;
let baseline: Record<string, unknown>[];
let reference: Canon;
beforeAll(async () => {
  h = await startHarness();
  const ref = await newCase(h.config);
  projectId = ref.projectId;
  await step(h.dli, ref, steps[0] as Raw[], at(1));
  baseline = await dumpTable(ref.store);
  await step(h.dli, ref, steps[1] as Raw[], at(2));
  reference = await canonical(ref.store, [at(2)]);
});
afterAll(async () => {
  matrix.flush();
  await h.close();
});

const OPS = ['TransactWriteItems', 'PutItem', 'UpdateItem', 'Query', 'BatchGetItem', 'GetItem'];
/** A fault DynamoDB could give the operation it hits (only transactions are cancelled, for one). */
const fault: fc.Arbitrary<DdbFault> = fc.oneof(
  fc.record({
    kind: fc.oneof(
      fc.constant({ type: 'throttle' as const }),
      fc.constant({ type: 'lost-response' as const }),
      fc.integer({ min: 5, max: 60 }).map((ms) => ({ type: 'slow' as const, ms })),
    ),
    ops: fc.subarray(OPS, { minLength: 1 }),
    after: fc.nat({ max: 3 }),
    times: fc.integer({ min: 1, max: 9 }),
  }),
  fc.record({
    kind: fc.constantFrom('TransactionConflict', 'ConditionalCheckFailed', 'ThrottlingError').map((code) => ({
      type: 'cancel' as const,
      // Position 0 is the run's lease check: a conflict there is "lease lost", tested elsewhere.
      codes: ['None', code],
    })),
    ops: fc.constant(['TransactWriteItems']),
    after: fc.nat({ max: 3 }),
    times: fc.integer({ min: 1, max: 9 }),
  }),
  fc.record({
    kind: fc.constant({ type: 'unprocessed' as const }),
    ops: fc.constant(['BatchGetItem']),
    after: fc.nat({ max: 3 }),
    times: fc.integer({ min: 1, max: 9 }),
  }),
);

describe('soak: random DynamoDB fault mixes', () => {
  it(`${RUNS} mixes: retried until stored, or surfaced and repaired by the next run`, async () => {
    const random = Math.random;
    // The SDK's jitter draws short delays (the policy is unchanged; see ddb-faults.test.ts).
    Math.random = () => 0.002;
    let runs = 0;
    let injected = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fault, { minLength: 1, maxLength: 4 }), async (mix) => {
          const c = await newCase(h.config, projectId);
          await restore(c.store, baseline);
          const faults = injectDdbFaults(c.store);
          for (const f of mix) faults.add(f);
          // A run that cannot even take its lease or write its record rejects: the CLI exits 1 with
          // the message, the Lambda invocation fails. Surfaced either way.
          const first: Pick<RunRecord, 'outcome' | 'error'> = await c.sync(at(2)).then(
            (res) => res.runs[0] as RunRecord,
            (err: unknown) => ({ outcome: 'failed', error: describeError(err) }),
          );
          runs++;
          injected += faults.injected.length;
          faults.clear();
          if (first.outcome !== 'complete') {
            expect(first.error, 'a run that did not complete says why').toBeTruthy();
            await expireLease(c.store, c.target);
            expect((await c.sync(at(3))).ok).toBe(true);
            runs++;
          }
          const got = await canonical(c.store, [at(2), at(3)]);
          expect(differences(reference, got)).toEqual([]);
          matrix.add('random DynamoDB fault mixes', {
            lost: lostEvents(reference, got),
            duplicated: got.duplicated,
            eventsChecked: reference.events.length,
          });
        }),
        { numRuns: RUNS },
      );
    } finally {
      Math.random = random;
    }
    matrix.add('random DynamoDB fault mixes', { faults: injected, runs });
  }, 1_800_000);

  it('unprocessed keys that never clear: the run fails saying so, the next run repairs', async () => {
    const c = await newCase(h.config, projectId);
    await restore(c.store, baseline);
    const faults = injectDdbFaults(c.store);
    faults.add({ kind: { type: 'unprocessed' }, ops: ['BatchGetItem'] });
    const run = (await c.sync(at(2))).runs[0] as RunRecord;
    expect(run).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/unprocessed keys/) });
    faults.clear();
    await expireLease(c.store, c.target);
    expect((await c.sync(at(3))).ok).toBe(true);
    const got = await canonical(c.store, [at(2), at(3)]);
    expect(differences(reference, got)).toEqual([]);
    matrix.add('unprocessed keys that never clear', {
      faults: faults.injected.length,
      runs: 2,
      eventsChecked: reference.events.length,
      lost: lostEvents(reference, got),
      duplicated: got.duplicated,
    });
  }, 120_000);
});
