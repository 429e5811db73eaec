/**
 * Promise: runs that overlap (two started together, a schedule firing while the previous run is
 * still going, a run that outlives its lease while the next one takes over) leave the state an
 * undisturbed run leaves, and each event is stored once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../lib/model/schemas.ts';
import { createStore, type Store } from '../../lib/store/client.ts';
import { injectDdbFaults } from '../support/ddb-faults.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { dumpTable } from '../support/secrets-scan.ts';
import { ddbEndpoint, LOCAL_AWS_ENV } from '../support/store.ts';
import { type Case, newCase, type Raw, restore, SMALL, scenarioSteps, step } from './scenario.ts';
import { at, type Canon, canonical, differences, expireLease, faultMatrix, lostEvents } from './support.ts';

let h: Harness;
const matrix = faultMatrix(import.meta.filename);
const steps = scenarioSteps(SMALL);
const T2 = at(2);
const T3 = at(3);
let projectId: string;
let baseline: Record<string, unknown>[];
/** Step 1, then step 2 at T2. */
let afterStep2: Canon;
/** Step 1, then straight to step 3's data at T3 (what the newest observation says). */
let afterStep3: Canon;

beforeAll(async () => {
  h = await startHarness();
  const ref = await newCase(h.config);
  projectId = ref.projectId;
  expect((await step(h.dli, ref, steps[0] as Raw[], at(1))).ok).toBe(true);
  baseline = await dumpTable(ref.store);
  expect((await step(h.dli, ref, steps[1] as Raw[], T2)).ok).toBe(true);
  afterStep2 = await canonical(ref.store, [T2]);
  const ref3 = await world();
  expect((await step(h.dli, ref3, steps[2] as Raw[], T3)).ok).toBe(true);
  afterStep3 = await canonical(ref3.store, [T3]);
});
afterAll(async () => {
  matrix.flush();
  await h.close();
});

async function world(): Promise<Case> {
  const c = await newCase(h.config, projectId);
  await restore(c.store, baseline);
  return c;
}

/** Another process's client on the same table (a second Lambda invocation, the CLI). */
function otherClient(store: Store): Store {
  return createStore({
    tableName: store.tableName,
    retentionDays: store.retentionDays,
    clientConfig: {
      endpoint: ddbEndpoint(),
      region: LOCAL_AWS_ENV.AWS_REGION,
      credentials: {
        accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
      },
    },
  });
}

async function expectState(
  c: Case,
  reference: Canon,
  times: Date[],
  category: string,
  runs: number,
  faults: number,
) {
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

describe('overlapping runs of one target', () => {
  it('four syncs started together: one runs, three skip on the lease, the result is an undisturbed run', async () => {
    const c = await world();
    h.dli.setConnections(projectId, steps[1] as Raw[]);
    const stores = [c.store, otherClient(c.store), otherClient(c.store), otherClient(c.store)];
    const results = await Promise.all(stores.map((store) => c.sync(T2, { store })));
    const outcomes = results.map((r) => r.runs[0]?.outcome).sort();
    expect(outcomes).toEqual(['complete', 'skipped', 'skipped', 'skipped']);
    await expectState(c, afterStep2, [T2], 'syncs of one target started together', 4, 3);
  });

  it('a schedule that fires while the previous run still sweeps: it skips, writes nothing but its record', async () => {
    const c = await world();
    h.dli.setConnections(projectId, steps[1] as Raw[]);
    let started!: () => void;
    const sweeping = new Promise<void>((r) => {
      started = r;
    });
    const slow = c.sync(T2, {
      sweep: async (target, options) => {
        started();
        await new Promise((r) => setTimeout(r, 300));
        const { sweepTarget } = await import('../../lib/dli/sweep.ts');
        return sweepTarget(target, options);
      },
    });
    await sweeping;
    const tick = (await c.sync(new Date(T2.getTime() + 60_000), { store: otherClient(c.store) }))
      .runs[0] as RunRecord;
    expect(tick).toMatchObject({ outcome: 'skipped', created: 0, changed: 0, events: 0 });
    expect((await slow).runs[0]?.outcome).toBe('complete');
    // The next schedule after it: nothing left to do.
    const next = (await c.sync(T3)).runs[0] as RunRecord;
    expect(next).toMatchObject({ outcome: 'complete', created: 0, changed: 0, deleted: 0, events: 0 });
    await expectState(c, afterStep2, [T2], 'schedule fires while the previous run is going', 3, 1);
  });

  it('a run that outlives its lease while the next one takes over cannot write its older view', async () => {
    const c = await world();
    // Run A sweeps step 2, then stalls before its first transaction (a slow table, a paused process).
    const storeA = otherClient(c.store);
    const faultsA = injectDdbFaults(storeA);
    let release!: () => void;
    faultsA.add({
      kind: { type: 'hold', until: new Promise<void>((r) => (release = r)) },
      ops: ['TransactWriteItems'],
    });
    h.dli.setConnections(projectId, steps[1] as Raw[]);
    const runA = c.sync(T2, { store: storeA });
    await faultsA.reached('hold');
    // Its lease runs out; the next schedule sweeps the API as it is now (step 3) and completes.
    h.dli.setConnections(projectId, steps[2] as Raw[]);
    await expireLease(c.store, c.target);
    const b = (await c.sync(T3)).runs[0] as RunRecord;
    expect(b.outcome).toBe('complete');
    // A wakes up. Whatever it still tries to write is older than what B stored.
    release();
    const a = (await runA).runs[0] as RunRecord;
    await expectState(c, afterStep3, [T3], 'run outlives its lease, next run takes over', 2, 1);
    // And A says so: its run failed, because it lost its lease.
    expect(a).toMatchObject({ outcome: 'failed', created: 0, changed: 0, deleted: 0, events: 0 });
    expect(a.error).toMatch(/lease/);
  });
});
