/**
 * The crash-point suite (crash-points.test.ts runs two of its cases, the soak all of them).
 *
 * Promise: no lost history, no lost or duplicated event, whatever point a sync dies at.
 *
 * For each step of a scenario that changes state, the uninterrupted run is the reference. Then, for
 * every k from 1 to the number of write requests that run makes, a fresh copy of the world runs the
 * same step but dies before its k-th write (every later write fails too: the process is gone),
 * the next scheduled run finds the dead run's lease and skips, the lease runs out, and a rerun
 * completes. State, history and events must then equal the reference's, up to the instant of the
 * run; no half-applied change may be visible at any point.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mapLimit } from '../../lib/concurrency.ts';
import { injectDdbFaults } from '../support/ddb-faults.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { dumpTable } from '../support/secrets-scan.ts';
import { newCase, type Raw, restore, scenarioSteps, step } from './scenario.ts';
import {
  at,
  type Canon,
  Crash,
  canonical,
  countWrites,
  crashBeforeWrite,
  differences,
  expireLease,
  faultMatrix,
  lostEvents,
} from './support.ts';

/** A step of the scenario over `n` connections (BIG: several transactions per run; SMALL: one). */
export interface CrashCase {
  step: number;
  n: number;
  /** Changed connections written per slice (lib/sync/run.ts), to put crash points between slices. */
  slice?: number;
}
const scenarios = new Map<number, Raw[][]>();
const stepsOf = (n: number): Raw[][] => {
  let steps = scenarios.get(n);
  if (!steps) {
    steps = scenarioSteps(n);
    scenarios.set(n, steps);
  }
  return steps;
};

const minute = (d: Date, m: number): Date => new Date(d.getTime() + m * 60_000);

/** Every history version of the target must hold exactly its state's content at that version. */
function assertNoHalfApplied(canon: Canon): void {
  const versions = new Set(
    canon.history.map((h) => {
      const v = JSON.parse(h) as Raw;
      return `${v.id}#${v.version}`;
    }),
  );
  for (const json of Object.values(canon.state)) {
    const s = JSON.parse(json) as Raw;
    // A state without the history version it claims would be a half-applied change.
    expect(versions.has(`${s.id}#${s.version}`)).toBe(true);
  }
}

export function crashSuite(
  file: string,
  cases: readonly CrashCase[],
  opts: { sequences?: number } = {},
): void {
  let h: Harness;
  const matrix = faultMatrix(file);
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    matrix.flush();
    await h.close();
  });

  for (const { step: s, n, slice } of cases) {
    const steps = stepsOf(n);
    const deps = slice ? { sliceSize: slice } : {};
    const sliced = slice ? `, written ${slice} connections a slice` : '';
    it(`step ${s + 1} over ${n} connections${sliced}: every crash point converges to the uninterrupted result`, async () => {
      const when = at(s + 1);
      // Reference: steps 1..s without trouble, a copy of the table taken, then step s+1 uninterrupted.
      const ref = await newCase(h.config);
      for (let i = 0; i < s; i++)
        expect((await step(h.dli, ref, steps[i] as Raw[], at(i + 1))).ok).toBe(true);
      const baseline = await dumpTable(ref.store);
      const counter = countWrites(ref.store);
      const refRun = await step(h.dli, ref, steps[s] as Raw[], when, deps);
      expect(refRun.ok).toBe(true);
      const written = refRun.runs.reduce((t, r) => t + r.created + r.changed + r.deleted, 0);
      // More changes than one slice holds, so some crash points fall between slices.
      if (slice) expect(written).toBeGreaterThan(slice);
      ref.store.beforeWrite = undefined;
      const writes = counter.writes();
      const reference = await canonical(ref.store, [when]);
      // Lease, transactions (two for steps 1 and 2 of the big scenario), run record, release.
      expect(writes).toBeGreaterThanOrEqual(4);
      expect(reference.events.length).toBeGreaterThan(0);

      const crashPoints = Array.from({ length: writes }, (_, i) => i + 1);
      const results = await mapLimit(crashPoints, 3, async (k) => {
        // The same world (same project: the emulator serves step s+1 to every case) in its own table.
        const c = await newCase(h.config, ref.projectId);
        await restore(c.store, baseline);
        const faults = injectDdbFaults(c.store);
        crashBeforeWrite(c.store, k);
        const crashed = await c.sync(when, deps).then(
          () => null,
          (err: unknown) => err,
        );
        // Dying before the last write (the lease release) cannot be told from a finished run: the
        // release's failure is ignored by design (the lease then runs out on its own).
        if (k < writes) expect(crashed, `crash point ${k}`).toBeInstanceOf(Crash);
        c.store.beforeWrite = undefined;
        await faults.idle();
        const afterCrash = await canonical(c.store, [when]);
        assertNoHalfApplied(afterCrash);

        // The next schedule finds the dead run's lease (taken by write #1) and skips, writing nothing.
        const early = await c.sync(minute(when, 1));
        expect(early.runs[0]?.outcome).toBe(k === 1 ? 'complete' : 'skipped');
        let runs = 2;
        if (k > 1) {
          expect(await canonical(c.store, [when])).toEqual(afterCrash);
          await expireLease(c.store, c.target);
          expect((await c.sync(minute(when, 30), deps)).ok, `rerun after crash point ${k}`).toBe(true);
          runs++;
        }
        const got = await canonical(c.store, [when, minute(when, 1), minute(when, 30)]);
        expect(differences(reference, got), `after crash point ${k}`).toEqual([]);
        faults.remove();
        return { lost: lostEvents(reference, got), duplicated: got.duplicated, runs };
      });
      matrix.add('crash at k-th write, then rerun', {
        faults: crashPoints.length,
        runs: 1 + results.reduce((n, r) => n + r.runs, 0),
        eventsChecked: reference.events.length * (crashPoints.length + 1),
        lost: results.reduce((n, r) => n + r.lost, 0),
        duplicated: results.reduce((n, r) => n + r.duplicated, 0) + reference.duplicated,
      });
      expect(results.every((r) => r.lost === 0 && r.duplicated === 0)).toBe(true);
    });
  }

  if (opts.sequences) {
    const n = opts.sequences;
    it(`${n} random sequences of crashes at random writes, then a clean run: each converges`, async () => {
      // One reference per step, each in its own project (the emulator keeps serving its step).
      const refs: { projectId: string; baseline: Record<string, unknown>[]; reference: Canon }[] = [];
      for (const { step: s, n } of cases) {
        const steps = stepsOf(n);
        const ref = await newCase(h.config);
        for (let i = 0; i < s; i++) await step(h.dli, ref, steps[i] as Raw[], at(i + 1));
        const baseline = await dumpTable(ref.store);
        await step(h.dli, ref, steps[s] as Raw[], at(s + 1));
        refs.push({ projectId: ref.projectId, baseline, reference: await canonical(ref.store, [at(s + 1)]) });
      }
      let runs = 0;
      let crashes = 0;
      let events = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: refs.length - 1 }),
          fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
          async (r, ks) => {
            const { projectId, baseline, reference } = refs[r] as (typeof refs)[number];
            const when = at((cases[r] as CrashCase).step);
            const c = await newCase(h.config, projectId);
            await restore(c.store, baseline);
            const faults = injectDdbFaults(c.store);
            const times: Date[] = [];
            for (const k of ks) {
              const t = minute(when, 60 + times.length);
              times.push(t);
              crashBeforeWrite(c.store, k);
              await c.sync(t).catch(() => undefined);
              c.store.beforeWrite = undefined;
              await faults.idle();
              await expireLease(c.store, c.target);
              assertNoHalfApplied(await canonical(c.store, times));
            }
            const last = minute(when, 60 + times.length);
            times.push(last);
            expect((await c.sync(last)).ok).toBe(true);
            const got = await canonical(c.store, times);
            expect(differences(reference, got)).toEqual([]);
            runs += times.length;
            crashes += ks.length;
            events += reference.events.length;
            matrix.add('random crash sequences, then rerun', {
              lost: lostEvents(reference, got),
              duplicated: got.duplicated,
            });
          },
        ),
        { numRuns: n },
      );
      matrix.add('random crash sequences, then rerun', { faults: crashes, runs, eventsChecked: events });
    });
  }
}
