/**
 * backloghq's backlog: the JSON its `task_list` (or `task_archive_load`) returns, an array of taskwarrior-shaped
 * records keyed by a UUID `_id`, with `agent` for who works on it. Its numeric ids are not kept: they collide
 * between writers there.
 */

import { BacklogError } from '../core/errors.js'
import type { SourceFile, SourceRead } from './draft.js'
import { readTaskRecords } from './taskwarrior.js'
import { parseJson } from './values.js'

/**
 * Reads a JSON array of tasks, or an object holding one as `tasks` (the tool's structured content).
 *
 * @example
 * readBackloghq([{ path: 'tasks.json', text: '{"tasks": [{"_id": "0c9e...", "description": "Ship", "status": "pending"}]}' }])
 */
export function readBackloghq(files: SourceFile[]): SourceRead {
  if (files.length === 0) throw new BacklogError('INVALID_INPUT', 'nothing to read. Nothing was written.')
  const records: Array<{ value: unknown; where: string }> = []
  for (const file of files) {
    const data = parseJson(file.text, file.path)
    const tasks = Array.isArray(data) ? data : (data as { tasks?: unknown } | null)?.tasks
    if (!Array.isArray(tasks)) {
      throw new BacklogError(
        'INVALID_INPUT',
        `${file.path} is not a JSON array of tasks (or {"tasks": [...]}) as task_list returns them. Nothing was written.`,
      )
    }
    tasks.forEach((value, index) => {
      records.push({ value, where: `${file.path}: task ${index + 1}` })
    })
  }
  // One read of all files: ids are made across the export and its archive segments together.
  const read = readTaskRecords(records, {
    what: 'backlog',
    prefix: 'bq',
    uuidKeys: ['_id', 'uuid'],
    uuidAttribute: 'backlog_uuid',
    assigneeKey: 'agent',
    derived: ['id', 'urgency', 'modified', '_version', '_blobs', 'has_doc'],
  })
  for (const draft of read.drafts) {
    if (draft.tags.some((tag) => tag === 'doc')) {
      draft.problems.push('its doc is kept apart by backlog and is not in the export: not imported')
    }
  }
  return read
}
