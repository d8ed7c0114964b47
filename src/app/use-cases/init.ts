/** The init use-case: start a backlog in the repository (its config and merge attributes, one commit). */

import { BacklogError } from '../../core/errors.js'
import { isValidPrefix } from '../../core/ids.js'
import { ATTRIBUTES_PATH, ATTRIBUTES_TEXT, CONFIG_PATH } from '../../core/layout.js'
import { installDriverQuietly } from '../../merge/install.js'
import { readPackageFile } from '../../package-files.js'
import { type AppCore, planOf } from '../shared.js'

export interface InitInput {
  prefix?: string
  agent?: string
}

export interface InitResult {
  created: boolean
  path: string
  commit?: string
}

/**
 * The files that make a backlog: the config (from the package's template) and the attributes that route task files
 * to the merge driver, committed together so every clone merges field by field; the driver itself goes into this
 * clone's config.
 */
export function backlogFiles(prefix?: string): Array<{ path: string; content: string }> {
  const template = readPackageFile('templates/config.yml')
  return [
    { path: CONFIG_PATH, content: prefix ? template.replace(/^prefix: .*$/m, `prefix: ${prefix}`) : template },
    { path: ATTRIBUTES_PATH, content: ATTRIBUTES_TEXT },
  ]
}

/**
 * Starts a backlog: commits `.backlog/config.yml` and the merge attributes, and sets the merge driver in this clone.
 * Does nothing (created: false) where there is one already.
 *
 * @example
 * await init(core, { prefix: 'web' }) // { created: true, path: '.backlog/config.yml', commit: '…' }
 */
export async function init(core: AppCore, { prefix, agent }: InitInput): Promise<InitResult> {
  const { store } = core
  if (prefix !== undefined && !isValidPrefix(prefix)) {
    throw new BacklogError(
      'INVALID_INPUT',
      `prefix "${prefix}" must be 1-16 letters and digits, starting with a letter`,
    )
  }
  if (store.isInitialized()) return { created: false, path: CONFIG_PATH }
  const context = await core.contextFor(agent)
  const result = await store.mutate(() =>
    store.isInitialized()
      ? null
      : planOf(context, { op: 'init', verb: 'init backlog', items: [] }, backlogFiles(prefix)),
  )
  installDriverQuietly(store.repo)
  return {
    created: result.changes.length > 0,
    path: CONFIG_PATH,
    ...(result.commit ? { commit: result.commit } : {}),
  }
}
