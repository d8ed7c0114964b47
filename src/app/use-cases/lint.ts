/** The lint use-case: is the backlog in the working tree sound? For CI and pre-commit hooks; it writes nothing. */

import type { LintInput } from '../../core/inputs.js'
import { type LintFinding, lintBacklog } from '../../core/lint.js'
import { readBacklogSnapshot } from '../../store/backlog-snapshot.js'
import { assertInitialized } from '../../store/store.js'
import type { AppCore } from '../shared.js'

export interface LintResult {
  /** No errors (and, with `strict`, no warnings either). */
  ok: boolean
  errors: number
  warnings: number
  /** Sorted by path, line and rule. */
  findings: LintFinding[]
}

/**
 * Checks every file under `.backlog/` against the rules of core/lint.ts. Reads the working tree only: no commit, no
 * index or config change, no settling of a killed writer's journal, so it runs on a shallow clone, a pull request's
 * merge ref and in the middle of a merge. NOT_INITIALIZED where there is no backlog.
 *
 * @example
 * const { ok, findings } = await lint(core, {})
 */
export async function lint(core: AppCore, { strict = false }: LintInput = {}): Promise<LintResult> {
  assertInitialized(core.store)
  const findings = lintBacklog(await readBacklogSnapshot(core.store.repo))
  const errors = findings.filter((found) => found.severity === 'error').length
  const warnings = findings.length - errors
  return { ok: errors === 0 && (!strict || warnings === 0), errors, warnings, findings }
}
