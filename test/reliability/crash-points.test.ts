/**
 * Promise: no lost history, no lost or duplicated event, whatever write a sync dies at (crash.ts).
 * Step 1 (the first sync: creations, first-seen FAILED peerings) over a small target and step 2
 * (every kind of change and event, in two transactions) over a big one run here, the latter also written
 * in slices of 8 connections (crash points between slices); every step at both
 * sizes, and random sequences of crashes, run in crash-points.soak.test.ts.
 */
import { describe } from 'vitest';
import { crashSuite } from './crash.ts';
import { BIG, SMALL } from './scenario.ts';

describe('crash at every write of a run, then rerun', () => {
  crashSuite(import.meta.filename, [
    { step: 0, n: SMALL },
    { step: 1, n: BIG },
    { step: 1, n: BIG, slice: 8 },
  ]);
});
