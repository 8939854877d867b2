import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    // Server tests bind ports and open databases; files run in parallel workers, tests inside a file in order.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
