/**
 * The long runs of the reliability suite (npm run test:soak): property and fault runs tagged
 * `*.soak.test.ts`, which the default config (vitest.config.ts, npm test) excludes. SOAK_RUNS scales
 * the number of property runs.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.soak.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
