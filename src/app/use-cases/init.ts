/** The init use-case: start a backlog in the repository (its config and merge attributes, one commit). */

import { SECTION_START, upsertSection } from '../../core/agents-section.js'
import { BacklogError } from '../../core/errors.js'
import { isValidPrefix } from '../../core/ids.js'
import { ATTRIBUTES_PATH, ATTRIBUTES_TEXT, CONFIG_PATH } from '../../core/layout.js'
import { commitMessage } from '../../core/messages.js'
import { installDriverQuietly } from '../../merge/install.js'
import { readPackageFile } from '../../package-files.js'
import { type AgentFilesResult, writeAgentFiles } from '../../store/agent-files.js'
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

/** Files of instructions for agents: AGENTS.md always; CLAUDE.md when the repository has one that does not import AGENTS.md. */
const AGENT_FILES = ['AGENTS.md', 'CLAUDE.md']

/**
 * An import of AGENTS.md in CLAUDE.md, as Claude Code reads one: `@AGENTS.md` or `@./AGENTS.md` at the start of a
 * line or after a space (`See @AGENTS.md.`); not inside a code span, where `@` follows a backtick.
 */
const IMPORTS_AGENTS = /(?:^|[\s(])@(?:\.\/)?AGENTS\.md(?![\w/-])/m

/**
 * Writes (or brings up to date) the backlog's section of AGENTS.md, and of CLAUDE.md when there is one that does not
 * already import AGENTS.md (`@AGENTS.md`), between markers, keeping the rest of each file; commits the files that held
 * no uncommitted changes in one commit. Running it again changes nothing.
 *
 * @example
 * await initAgents(core, {}) // { written: ['AGENTS.md'], committed: ['AGENTS.md'], uncommitted: [], commit: '…' }
 */
export async function initAgents(core: AppCore, { agent }: { agent?: string }): Promise<AgentFilesResult> {
  const section = readPackageFile('templates/agents-section.md')
  const context = await core.contextFor(agent)
  const message = commitMessage({
    op: 'init',
    verb: 'write the backlog section of the agent instructions',
    items: [],
    ...(context.agent ? { agent: context.agent } : {}),
  })
  return writeAgentFiles(
    core.store.repo,
    AGENT_FILES.map((path) => ({
      path,
      next: (current) => {
        if (path === 'AGENTS.md') return upsertSection(current, section)
        if (current === undefined) return undefined
        if (!current.includes(SECTION_START) && IMPORTS_AGENTS.test(current)) return undefined
        return upsertSection(current, section)
      },
    })),
    message,
  )
}
