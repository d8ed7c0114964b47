import { defineConfig } from 'vitest/config'

// `npm run test:install` sets this: the front door as a new user meets it (npm ci, npm start, npm pack, installs),
// which reaches the registry and takes a minute, so it runs beside `npm test` in CI rather than inside it.
const install = process.env.BACKLOG_TEST_INSTALL === '1'

export default defineConfig({
  test: {
    include: install ? ['test/install/**/*.test.ts'] : ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: install ? [] : ['test/install/**', '**/node_modules/**'],
    // Forked workers: tests that set process.env.TZ need it to take effect (it does not in worker threads).
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: install ? 'test-results/install.json' : 'test-results/report.json' },
  },
})
