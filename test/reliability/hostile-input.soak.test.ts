/**
 * Soak (npm run test:soak): the hostile-input properties of hostile-input.test.ts, longer, with
 * bigger sweeps and huge records mixed in (names up to 1.2 MB, up to 12,000 peerings).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type Harness, PROJECT, startHarness } from '../support/harness.ts';
import { createTestStore } from '../support/store.ts';
import { goodRecord, hostileSweep, type Raw } from './arbitraries.ts';
import { checkHostileSweep } from './hostile.ts';
import { faultMatrix } from './support.ts';

const RUNS = Number(process.env.SOAK_RUNS ?? 150);
let h: Harness;
const matrix = faultMatrix(import.meta.filename);
beforeAll(async () => {
  h = await startHarness({ env: { DLI_PAGE_SIZE: '7' } });
});
afterAll(async () => {
  matrix.flush();
  await h.close();
});

/** A good record grown past (or near) the item limit. */
const huge: fc.Arbitrary<Raw> = fc
  .tuple(
    goodRecord,
    fc.oneof(
      fc.integer({ min: 100_000, max: 1_200_000 }).map((n) => ({ name: 'n'.repeat(n) })),
      fc.integer({ min: 1_000, max: 12_000 }).map((n) => ({
        available_queue_info: Array.from({ length: n }, (_, i) => ({
          name: `q${i}`,
          status: i % 97 ? 'ACTIVE' : 'FAILED',
        })),
      })),
    ),
  )
  .map(([r, over]) => ({ ...r, ...over }));

const withHuge = fc
  .tuple(hostileSweep({ baseline: 12, extra: 6 }), fc.array(huge, { maxLength: 2 }))
  .map(([s, big]) => ({ ...s, records: [...s.records, ...big] }));

async function fresh() {
  const store = await createTestStore();
  return { store, config: { ...h.config, tableName: store.tableName } };
}

describe('soak: hostile API answers', () => {
  it(`${RUNS} hostile sweeps handed straight to the sync, huge records mixed in`, async () => {
    let runs = 0;
    let faults = 0;
    let events = 0;
    await fc.assert(
      fc.asyncProperty(withHuge, async (s) => {
        const { store, config } = await fresh();
        const out = await checkHostileSweep(store, config, s);
        runs += 3;
        faults += s.records.length - s.knownGood.length;
        events += out.events;
      }),
      { numRuns: RUNS },
    );
    matrix.add('hostile records (soak, direct)', { runs, faults, eventsChecked: events });
  }, 1_800_000);

  it(`${Math.ceil(RUNS / 5)} hostile sweeps served by the emulator, paged 7 by 7`, async () => {
    let runs = 0;
    let faults = 0;
    let events = 0;
    await fc.assert(
      fc.asyncProperty(hostileSweep({ baseline: 12, extra: 6, duplicates: false }), async (s) => {
        const { store, config } = await fresh();
        const out = await checkHostileSweep(store, config, s, {
          via: 'emulator',
          serve: (records) => h.dli.setConnections(PROJECT, records),
        });
        runs += 3;
        faults += s.records.length - s.knownGood.length;
        events += out.events;
      }),
      { numRuns: Math.ceil(RUNS / 5) },
    );
    matrix.add('hostile records (soak, over HTTP)', { runs, faults, eventsChecked: events });
  }, 1_800_000);
});
