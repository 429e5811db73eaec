/**
 * Soak (npm run test:soak): every crash point of every step of the scenario, and random sequences of
 * crashes (a rerun dying too) followed by a clean run. See crash.ts.
 */
import { describe } from 'vitest';
import { crashSuite } from './crash.ts';
import { BIG, SMALL } from './scenario.ts';

describe('soak: crash at every write of every step, and random crash sequences', () => {
  crashSuite(
    import.meta.filename,
    [0, 1, 2].flatMap((step) => [
      { step, n: SMALL },
      { step, n: BIG },
      { step, n: BIG, slice: 2 },
    ]),
    { sequences: Number(process.env.SOAK_RUNS ?? 30) },
  );
});
