import { defineConfig } from 'vitest/config'

/**
 * The suite in three layers (docs/development.md, "How the suite is layered"), each its own run with its own report:
 * - `npm test`: unit tests, the CLI and the MCP server in process, and a few true spawns of the built bin;
 * - `npm run stress` (BACKLOG_TEST_LAYER=stress): writers killed and raced in processes, merge properties;
 * - `npm run test:install` (BACKLOG_TEST_LAYER=install): the front door as a new user meets it (npm ci, npm start,
 *   npm pack, installs), which reaches the registry;
 * - `npm run test:browser` (BACKLOG_TEST_LAYER=browser): the web viewer of `git backlog serve` in a real headless
 *   Chromium (Debian's, installed by scripts/install-browser.sh), driven by playwright-core;
 * - `npm run test:shells` (BACKLOG_TEST_LAYER=shells): shell completion in bash, zsh and fish (zsh and fish, and
 *   git's bash completion, installed by scripts/install-shells.sh).
 * CI (.ci/run) runs all five and sums their reports.
 */
const LAYERS = {
  // Two workers even on two cores (vitest's default there is one): most of these tests wait on git and on files, so a
  // second worker fills the first one's waits.
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], report: 'report', workers: 2 },
  // One: each of these tests loads the machine with its own processes, and some measure how long others wait. The
  // deterministic replays of test/concurrency (recovery, index-race, racy-index: a crash or a race at one chosen
  // instant, seconds in all) stay in `npm test`, since every change to the write path must keep them.
  stress: {
    include: [
      'test/concurrency/crash.test.ts',
      'test/concurrency/person.test.ts',
      'test/concurrency/writers.test.ts',
      'test/merge/property.test.ts',
      'test/merge/line-merge-all.test.ts',
    ],
    report: 'stress',
    workers: 1,
  },
  install: { include: ['test/install/**/*.test.ts'], report: 'install', workers: 1 },
  // One: a Chromium takes most of a core, and the live-update tests time how soon a page follows a commit.
  browser: { include: ['test/browser/**/*.test.ts'], report: 'browser', workers: 1 },
  // The completion scripts in bash, zsh and fish (scripts/install-shells.sh installs the last two as root).
  shells: { include: ['test/shells/**/*.test.ts'], report: 'shells', workers: 1 },
} as const

type Layer = keyof typeof LAYERS
const asked = process.env.BACKLOG_TEST_LAYER ?? 'test'
if (!(asked in LAYERS)) throw new Error(`BACKLOG_TEST_LAYER=${asked}: not one of ${Object.keys(LAYERS).join(', ')}`)
const layer = LAYERS[asked as Layer]
/** What the default layer leaves to the others. */
const elsewhere = [
  ...LAYERS.stress.include,
  ...LAYERS.install.include,
  ...LAYERS.browser.include,
  ...LAYERS.shells.include,
]

export default defineConfig({
  test: {
    include: [...layer.include],
    exclude: ['**/node_modules/**', ...(asked === 'test' ? elsewhere : [])],
    // Forked workers: tests that set process.env.TZ need it to take effect (it does not in worker threads).
    pool: 'forks',
    maxWorkers: layer.workers,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: `test-results/${layer.report}.json` },
  },
})
