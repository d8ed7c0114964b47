/**
 * The todos use-case: an agent's own task list (Claude Code's TodoWrite) mirrored into the backlog items its todos
 * name. Only todos that name an item id count, and only the change of a todo's status: started claims the item,
 * completed marks it done. The backlog is never mirrored back: a hook cannot write the agent's list (the briefing
 * tells it what is there instead).
 */

import { isBacklogError } from '../../core/errors.js'
import { updateInput } from '../../core/inputs.js'
import type { AppCore } from '../shared.js'
import { update } from './update.js'

export interface Todo {
  content: string
  status: string
}

export interface TodosInput {
  todos: Todo[]
  /** The list before this change, when the client says: todos whose status did not change are left alone. */
  previous?: Todo[]
  agent?: string
}

export interface TodosResult {
  /** Items claimed because their todo was started. */
  claimed: string[]
  /** Items marked done because their todo was completed. */
  closed: string[]
  /** Items a todo named that could not follow it, and why (someone else holds it, it waits on open items…). */
  refused: Array<{ id: string; reason: string }>
}

/** Words that look like item ids: a prefix, a dash and a suffix (`bl-k3m9x2`, `TASK-0001`). */
const ID_LIKE = /\b[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9]+\b/g

/**
 * Mirrors the todos' changes of status into the items they name, one commit per item changed.
 *
 * @example
 * await todos(core, { todos: [{ content: 'bl-k3m9x2: fix the parser', status: 'in_progress' }], agent: 'claude-code' })
 * // { claimed: ['bl-k3m9x2'], closed: [], refused: [] }
 */
export async function todos(core: AppCore, input: TodosInput): Promise<TodosResult> {
  const { store } = core
  const result: TodosResult = { claimed: [], closed: [], refused: [] }
  if (!store.isInitialized()) return result
  await store.refresh()
  const before = new Map((input.previous ?? []).map((todo) => [todo.content, todo.status]))
  const closedStatuses = store.config().closed_statuses
  const seen = new Set<string>()
  for (const todo of input.todos) {
    if (todo.status !== 'in_progress' && todo.status !== 'completed') continue
    if (input.previous && before.get(todo.content) === todo.status) continue
    for (const word of todo.content.match(ID_LIKE) ?? []) {
      const record = store.get(word)
      if (!record || seen.has(record.item.id)) continue
      const id = record.item.id
      seen.add(id)
      const { item } = record
      const change =
        todo.status === 'in_progress'
          ? item.status === 'in_progress' && item.assignee?.toLowerCase() === input.agent?.toLowerCase()
            ? undefined
            : { claim: true }
          : closedStatuses.includes(item.status)
            ? undefined
            : { status: 'done', note: 'Marked done from the agent todo list.' }
      if (!change) continue
      try {
        await update(core, updateInput.parse({ id, ...change, ...(input.agent ? { agent: input.agent } : {}) }))
        ;(todo.status === 'in_progress' ? result.claimed : result.closed).push(id)
      } catch (error) {
        if (!isBacklogError(error)) throw error
        result.refused.push({ id, reason: `${error.code}: ${error.message}` })
      }
    }
  }
  return result
}
