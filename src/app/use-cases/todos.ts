/**
 * The todos use-case: an agent's own task list (Claude Code's TodoWrite) mirrored into the backlog items its todos
 * name. Only todos that name an item id count, and only the change of a todo's status: started claims the item,
 * completed marks it done. The backlog is never mirrored back: a hook cannot write the agent's list (the briefing
 * tells it what is there instead).
 */

import { BacklogError, isBacklogError, phrase, slot } from '../../core/errors.js'
import { idKey, isValidId } from '../../core/ids.js'
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

/** Runs of the characters an id may hold (core/ids.ts): letters, digits, `-`, `_` and `.`. */
const ID_RUN = /[A-Za-z0-9_.-]+/g
const EDGE_PUNCTUATION = /[._-]/

/**
 * The id each word of a todo names: the whole run of id characters (`bd-e1.1.1.1`, `bl-adr-0001`), or that run less
 * the punctuation that ends a sentence (`task-1.1.1.`), the longest one that is an existing item. Never a shorter
 * part of the word: "Finish bd-e1.1.1.1" must not name its epic bd-e1 when bd-e1.1.1.1 is not an item. A word with
 * no dash is not taken as an id (ids are a prefix, a dash and a suffix), so plain words never name an item.
 */
function namedItems(text: string, exists: (id: string) => boolean): string[] {
  const found: string[] = []
  for (const [run] of text.matchAll(ID_RUN)) {
    let start = 0
    while (start < run.length && EDGE_PUNCTUATION.test(run[start] as string)) start++
    for (let end = run.length; end > start; end--) {
      const candidate = run.slice(start, end)
      if (candidate.includes('-') && isValidId(candidate) && exists(candidate)) {
        found.push(candidate)
        break
      }
      // Only what ends the word may be cut: a dot, dash or underscore after the last letter or digit.
      if (!EDGE_PUNCTUATION.test(run[end - 1] as string)) break
    }
  }
  return found
}

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
  const { closed_statuses: closedStatuses, started_statuses: startedStatuses } = store.config()
  const mine = (assignee: string | undefined) =>
    assignee !== undefined && input.agent !== undefined && idKey(assignee) === idKey(input.agent)
  const seen = new Set<string>()
  for (const todo of input.todos) {
    if (todo.status !== 'in_progress' && todo.status !== 'completed') continue
    if (input.previous && before.get(todo.content) === todo.status) continue
    for (const word of namedItems(todo.content, (id) => store.get(id) !== undefined)) {
      const record = store.get(word)
      if (!record || seen.has(record.item.id)) continue
      const id = record.item.id
      seen.add(id)
      const { item } = record
      const change =
        todo.status === 'in_progress'
          ? item.status === 'in_progress' && mine(item.assignee)
            ? undefined
            : { claim: true }
          : closedStatuses.includes(item.status)
            ? undefined
            : { status: 'done', note: 'Marked done from the agent todo list.' }
      if (!change) continue
      try {
        // A todo finished in this agent's list does not finish the work another agent holds (the claim refuses too).
        if (
          todo.status === 'completed' &&
          item.assignee &&
          !mine(item.assignee) &&
          startedStatuses.includes(item.status)
        ) {
          throw new BacklogError(
            'CONFLICT',
            phrase`${id} is claimed by ${item.assignee} (status ${item.status}): leave it to them, or ask them to release it (${slot('release')}). Nothing was written.`,
            { id, assignee: item.assignee },
          )
        }
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
