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
  /** Most items a status should hold at once (work-in-progress limits): the board marks a column over it. */
  wip_limits: Record<string, number>
}

export const DEFAULT_CONFIG: BacklogConfig = {
  prefix: 'bl',
  statuses: [...DEFAULT_STATUSES],
  closed_statuses: [...DEFAULT_CLOSED_STATUSES],
  started_statuses: ['in_progress'],
  auto_commit: true,
  wip_limits: {},
}

function textList(value: unknown, key: string): string[] | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string' || entry.trim() === '')) {
    throw new BacklogError('INVALID_INPUT', `.backlog/config.yml: "${key}" must be a list of words`, { key })
  }
  return value.map((entry: string) => entry.trim())
}

function limits(value: unknown, statuses: readonly string[]): Record<string, number> | undefined {
  if (value === undefined || value === null) return undefined
  const refuse = (why: string) => {
    throw new BacklogError('INVALID_INPUT', `.backlog/config.yml: "wip_limits" ${why}`, { key: 'wip_limits' })
  }
  if (typeof value !== 'object' || Array.isArray(value)) refuse('must map statuses to numbers (in_progress: 3)')
  const result: Record<string, number> = {}
  for (const [status, limit] of Object.entries(value as Record<string, unknown>)) {
    if (!statuses.includes(status)) refuse(`names "${status}", which is not one of the statuses`)
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      refuse(`of "${status}" must be a whole number of at least 1`)
    }
    result[status] = limit as number
  }
  return result
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
  config.wip_limits = limits(record.wip_limits, config.statuses) ?? config.wip_limits
  return config
}
