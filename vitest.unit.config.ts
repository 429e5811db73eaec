/**
 * `npm run test:unit`: the pure rules only (test/unit), for the edit-test loop. No global setup, so
 * no Java and no DynamoDB Local; a unit test that needs either belongs in test/integration.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    exclude: ['test/**/*.soak.test.ts', 'node_modules/**'],
    testTimeout: 30_000,
    // Threads start faster than forks and nothing here touches process-wide state.
    pool: 'threads',
  },
});
