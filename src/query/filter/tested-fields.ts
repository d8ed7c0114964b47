/** Which fields a filter tests: the app hides closed items by default unless the filter speaks about status. */

import type { FilterNode, VirtualTag } from './syntax.js'

/** Which stored fields a virtual tag reads, for filterFields. */
const VIRTUAL_FIELDS: Record<VirtualTag, readonly string[]> = {
  READY: ['status', 'depends_on', 'wait', 'scheduled'],
  BLOCKED: ['depends_on'],
  UNBLOCKED: ['depends_on'],
  BLOCKING: ['depends_on'],
  ACTIVE: ['status'],
  OVERDUE: ['status', 'due'],
  WAITING: ['wait'],
  TAGGED: ['tags'],
  ANNOTATED: ['notes'],
  TODAY: ['due'],
  TOMORROW: ['due'],
  WEEK: ['due'],
  DUE: ['status', 'due'],
  SCHEDULED: ['scheduled'],
  OPEN: ['status'],
  CLOSED: ['status'],
  PENDING: ['status'],
  COMPLETED: ['status'],
}

/**
 * Fields a filter tests (lower case, e.g. 'status', 'due', 'tags'; a user attribute by its path). Virtual tags that
 * imply a status (READY, ACTIVE, OPEN, CLOSED, COMPLETED, PENDING, OVERDUE, DUE) count as 'status'; BLOCKED and
 * UNBLOCKED do not, so closed items stay hidden by default for them. The app uses this: without 'status' it hides
 * closed items by default. Bare words add nothing.
 *
 * @example
 * filterFields(parseFilter('+READY due.before:eow')!) // Set { 'status', 'depends_on', 'wait', 'scheduled', 'due' }
 */
export function filterFields(node: FilterNode): Set<string> {
  const fields = new Set<string>()
  const walk = (current: FilterNode, negated: boolean): void => {
    switch (current.kind) {
      case 'and':
      case 'or':
        for (const child of current.nodes) walk(child, negated)
        return
      case 'not':
        walk(current.node, !negated)
        return
      case 'tag':
        fields.add('tags')
        return
      case 'virtual':
        // `-ACTIVE` asks for items that are not active, not for closed ones: only a virtual tag asked for as it is
        // speaks about status.
        if (!negated) for (const field of VIRTUAL_FIELDS[current.tag]) fields.add(field)
        return
      case 'field':
        // An id read from a word that only looks like one says nothing about which items to show.
        if (!current.implicit) fields.add(current.attribute ? current.field.toLowerCase() : current.field)
        return
      case 'text':
        return
    }
  }
  walk(node, false)
  return fields
}
