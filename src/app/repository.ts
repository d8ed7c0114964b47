/** Use-cases about the repository around the backlog: checking and repairing the setup, conflicts, syncing. */

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BacklogError } from '../core/errors.js'
import { ATTRIBUTES_PATH, ATTRIBUTES_TEXT, checkDriver, installDriver } from '../merge/install.js'
import { type ResolvedFile, resolveConflicts, unmergedBacklogFiles } from '../merge/resolve.js'
import { assertNotBusy } from '../store/repo.js'
import { assertInitialized } from '../store/store.js'
import { type SyncResult, syncWithUpstream, upstreamOf } from '../sync/remote.js'
import type { App } from './index.js'
import { type AppCore, planOf } from './shared.js'

export interface DoctorCheck {
  name: string
  ok: boolean
  detail: string
  /** Set when `fix` repaired it. */
  fixed?: boolean
}

export interface DoctorResult {
  ok: boolean
  checks: DoctorCheck[]
  /** The commit that added the attributes file, when `fix` made one. */
  commit?: string
}

export interface DoctorInput {
  /** Repair what can be repaired: commit the attributes file, set the driver in this clone's config. */
  fix?: boolean
  agent?: string
}

export interface ResolveInput {
  /** Only these task files (repository paths); default every task file in conflict. */
  paths?: string[]
}

export function repositoryUseCases(core: AppCore): Pick<App, 'doctor' | 'resolve' | 'sync'> {
  const { store, contextFor } = core

  return {
    async doctor({ fix = false, agent } = {}) {
      assertInitialized(store)
      await store.refresh()
      const checks: DoctorCheck[] = []
      let commit: string | undefined
      let driver = checkDriver(store.repo)

      if (!driver.attributes) {
        const check: DoctorCheck = {
          name: 'merge attributes',
          ok: false,
          detail: `${ATTRIBUTES_PATH} does not route task files to the merge driver; concurrent edits merge line by line only.`,
        }
        if (fix) {
          const path = join(store.repo.worktree, ATTRIBUTES_PATH)
          const current = existsSync(path) ? readFileSync(path, 'utf8') : ''
          const text = current ? `${current.replace(/\n?$/, '\n')}${ATTRIBUTES_TEXT}` : ATTRIBUTES_TEXT
          const context = await contextFor(agent)
          const result = await store.mutate(() =>
            planOf(context, { op: 'doctor', verb: 'doctor: route task files to the merge driver', items: [] }, [
              { path: ATTRIBUTES_PATH, content: text },
            ]),
          )
          commit = result.commit
          Object.assign(check, { ok: true, fixed: true, detail: `${ATTRIBUTES_PATH} added` })
        }
        checks.push(check)
      } else checks.push({ name: 'merge attributes', ok: true, detail: `${ATTRIBUTES_PATH} routes *.md to the driver` })

      if (!driver.configured) {
        const check: DoctorCheck = {
          name: 'merge driver',
          ok: false,
          detail: driver.command
            ? `merge.backlog.driver names a command that cannot run here: ${driver.command}`
            : 'merge.backlog.driver is not set in this clone',
        }
        if (fix) {
          installDriver(store.repo)
          driver = checkDriver(store.repo)
          if (driver.configured) Object.assign(check, { ok: true, fixed: true, detail: `set to ${driver.command}` })
        }
        checks.push(check)
      } else checks.push({ name: 'merge driver', ok: true, detail: driver.command ?? '' })

      const unmerged = [...unmergedBacklogFiles(store.repo).keys()]
      checks.push(
        unmerged.length
          ? {
              name: 'conflicts',
              ok: false,
              detail: `${unmerged.length} task file(s) left in conflict: ${unmerged.slice(0, 5).join(', ')}. Run \`git backlog resolve\`.`,
            }
          : { name: 'conflicts', ok: true, detail: 'no task file in conflict' },
      )

      const problems = store.problems()
      checks.push(
        problems.length
          ? {
              name: 'readable items',
              ok: false,
              detail: problems
                .slice(0, 5)
                .map((problem) => `${problem.path}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`)
                .join('; '),
            }
          : { name: 'readable items', ok: true, detail: `${store.all().length} items read` },
      )

      const upstream = upstreamOf(store.repo)
      checks.push(
        upstream
          ? {
              name: 'upstream',
              ok: upstream.behind === 0,
              detail: `${upstream.branch} is ${upstream.behind} behind and ${upstream.ahead} ahead of ${upstream.upstream} (as last fetched)${upstream.behind ? '; `git backlog sync` brings it up to date' : ''}`,
            }
          : { name: 'upstream', ok: true, detail: 'no upstream branch (nothing to sync with)' },
      )
      return { ok: checks.every((check) => check.ok), checks, ...(commit ? { commit } : {}) }
    },

    async resolve({ paths } = {}) {
      const context = await contextFor(undefined)
      if (paths) {
        // Checked before anything is written: a bad path changes nothing.
        const unmerged = unmergedBacklogFiles(store.repo)
        const missing = paths.filter((path) => !unmerged.has(path))
        if (missing.length) {
          throw new BacklogError(
            'NOT_FOUND',
            `${missing.join(', ')}: not a task file in conflict. \`git status\` lists the files left unmerged.`,
          )
        }
      }
      const results: ResolvedFile[] = resolveConflicts(store.repo, {
        config: context.config,
        now: context.date,
        ...(paths ? { paths } : {}),
      })
      return { files: results }
    },

    async sync() {
      assertInitialized(store)
      assertNotBusy(store.repo)
      const context = await contextFor(undefined)
      return syncWithUpstream(store.repo, { config: context.config, now: context.date }) satisfies SyncResult
    },
  }
}
