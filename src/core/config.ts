/** Project settings from `.backlog/config.yml`: read leniently, with defaults for everything. */

import jsYaml from 'js-yaml'
import { BacklogError } from './errors.js'
import { isValidPrefix } from './ids.js'
import { DEFAULT_CLOSED_STATUSES, DEFAULT_STATUSES } from './item.js'

export interface BacklogConfig {
  /** Id prefix of new items: `bl` gives `bl-k3m9x2`. */
  prefix: string
  /** Workflow statuses in order; the first is the default of new items. */
  statuses: string[]
  /** Statuses that mean finished: they stamp `closed` and leave the default list. */
  closed_statuses: string[]
  /** Statuses that mean work has begun: they stamp `started`. */
  started_statuses: string[]
  /** When false, mutations only write files and leave committing to the person. */
  auto_commit: boolean
}

export const DEFAULT_CONFIG: BacklogConfig = {
  prefix: 'bl',
  statuses: [...DEFAULT_STATUSES],
  closed_statuses: [...DEFAULT_CLOSED_STATUSES],
  started_statuses: ['in_progress'],
  auto_commit: true,
}

function textList(value: unknown, key: string): string[] | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string' || entry.trim() === '')) {
    throw new BacklogError('INVALID_INPUT', `.backlog/config.yml: "${key}" must be a list of words`, { key })
  }
  return value.map((entry: string) => entry.trim())
}

/**
 * Reads config text. Unknown keys are ignored (later versions may add some); wrong types are errors that name the key.
 *
 * @example
 * parseConfig('prefix: web\n').prefix // 'web'
 */
export function parseConfig(text: string): BacklogConfig {
  let data: unknown
  try {
    data = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA }) ?? {}
  } catch (error) {
    throw new BacklogError('INVALID_INPUT', `.backlog/config.yml is not valid YAML: ${(error as Error).message}`)
  }
  if (typeof data !== 'object' || Array.isArray(data) || data === null) {
    throw new BacklogError('INVALID_INPUT', '.backlog/config.yml must be a mapping of settings')
  }
  const record = data as Record<string, unknown>
  const config: BacklogConfig = { ...DEFAULT_CONFIG }
  if (record.prefix !== undefined) {
    const prefix = String(record.prefix)
    if (!isValidPrefix(prefix)) {
      throw new BacklogError('INVALID_INPUT', `.backlog/config.yml: prefix "${prefix}" must be letters and digits`)
    }
    config.prefix = prefix
  }
  config.statuses = textList(record.statuses, 'statuses') ?? config.statuses
  config.closed_statuses = textList(record.closed_statuses, 'closed_statuses') ?? config.closed_statuses
  config.started_statuses = textList(record.started_statuses, 'started_statuses') ?? config.started_statuses
  if (record.auto_commit !== undefined) config.auto_commit = record.auto_commit !== false
  if (config.statuses.length === 0) throw new BacklogError('INVALID_INPUT', '.backlog/config.yml: statuses is empty')
  return config
}
