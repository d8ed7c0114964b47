/** An app whose commits come out the same on every run. */

import { createApp } from '../../src/app/index.js'
import { seededRandom, steppingClock } from './repo.js'

/**
 * The app over the repository in `dir` with a clock stepping one second per call from `start`, seeded ids and Ann
 * Agent as the author, so ids, dates and commits are the same on every run.
 *
 * @example
 * const app = steadyApp(repo.dir, Date.UTC(2027, 0, 1))
 */
export function steadyApp(dir: string, start?: number) {
  return createApp({
    cwd: dir,
    now: steppingClock(start),
    random: seededRandom(),
    identity: { name: 'Ann Agent', email: 'ann@example.com' },
  })
}
