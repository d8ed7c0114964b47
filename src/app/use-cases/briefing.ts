/**
 * The briefing use-case: what an agent starting a session should know, within a byte budget: the work in progress and
 * whose it is, what is ready, what is blocked and why, and what others changed since this agent's last change.
 */

import { resolveDateExpression } from '../../core/date-expressions.js'
import { formatTimestamp } from '../../core/dates.js'
import { BacklogError } from '../../core/errors.js'
import type { ItemRow } from '../../core/fields.js'
import { idKey } from '../../core/ids.js'
import type { BriefingInput } from '../../core/inputs.js'
import {
  type BriefingSection,
  cutToBytes,
  fitBriefing,
  MAX_LINE_BYTES,
  MIN_BRIEFING_BYTES,
} from '../../render/briefing.js'
import type { BacklogCommit } from '../../store/backlog-log.js'
import type { AppCore } from '../shared.js'
import { list } from './list.js'
import { summary } from './repository.js'

export type { BriefingInput } from '../../core/inputs.js'

export const DEFAULT_BRIEFING_BYTES = 3072

/** Rows gathered per section before the budget decides how many show: more would never fit 3 KB anyway. */
const CAPS = { in_progress: 20, ready: 8, blocked: 10, changes: 20 }
/**
 * Ready work to claim: `+READY` without the items that group others (epics, milestones, folders). Those are
 * finished by finishing their children, not claimed: `+READY` takes one with no open child, which is one with no
 * children yet (it needs breaking down, not a claim) or one whose children are all done (it needs closing).
 */
const READY_WORK = '+READY not type.in:epic,milestone,folder'
/** Backlog commits read back looking for the agent's last change; an agent absent for longer is told so. */
const MAX_SCAN = 2_000

export interface BriefingRow {
  id: string
  title: string
  priority?: string
  assignee?: string
}

export interface BlockedRow extends BriefingRow {
  /** Dependencies that are not done (or name no item). */
  waiting_on?: string[]
  blocked_reason?: string[]
}

export interface BriefingChange {
  commit: string
  date: string
  /** The agent, or the author of a commit made without one. */
  who: string
  subject: string
}

export interface Briefing {
  /** Whose briefing it is. */
  agent: string
  /** The text for the agent, at most `max_bytes` UTF-8 bytes. */
  text: string
  bytes: number
  max_bytes: number
  /** The rows the text shows, and how many there are in all. */
  in_progress: { total: number; items: BriefingRow[] }
  ready: { total: number; items: BriefingRow[] }
  blocked: { total: number; items: BlockedRow[] }
  changes: {
    /** Where "changed since" starts: the agent's last change, or the time asked for; absent when neither is known. */
    since?: { commit?: string; date: string }
    /** How many backlog commits came after it (at least, when `more` is set). */
    total: number
    more?: boolean
    commits: BriefingChange[]
  }
  /** Sections that lost lines to the budget. */
  trimmed: string[]
  /** Set when the repository has no backlog yet. */
  no_backlog?: boolean
}

function briefRow(row: ItemRow): BriefingRow {
  return {
    id: row.id,
    title: row.title,
    ...(row.priority ? { priority: row.priority } : {}),
    ...(row.assignee ? { assignee: row.assignee } : {}),
  }
}

/** `bl-x [high] @claude (you) Title`: who holds it before the title, which a long title may lose its end to. */
function rowLine(row: BriefingRow, agent: string, titleBytes = MAX_LINE_BYTES): string {
  const priority = row.priority ? ` [${row.priority}]` : ''
  const who = row.assignee ? ` @${row.assignee}${sameName(row.assignee, agent) ? ' (you)' : ''}` : ''
  return `${row.id}${priority}${who} ${cutToBytes(row.title, titleBytes)}`
}

/** Names compare as claims do (update.ts): trimmed, any case. */
function sameName(a: string, b: string): boolean {
  return idKey(a) === idKey(b)
}

function whoOf(entry: BacklogCommit): string {
  return entry.agent ?? entry.author
}

/** `2026-11-23 12:05Z`: minutes are enough to place a change. */
function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`
}

/**
 * The briefing for `agent` (default: the acting agent, else the git author). "Changed since" lists the backlog
 * commits after the agent's latest one (its `Backlog-Agent` trailer, or for a person the commits it authored without
 * one), or after `since` when given.
 *
 * @example
 * const { text } = await briefing(core, { agent: 'claude', max_bytes: 2048 })
 */
export async function briefing(core: AppCore, input: BriefingInput): Promise<Briefing> {
  const { store } = core
  const maxBytes = input.max_bytes ?? DEFAULT_BRIEFING_BYTES
  if (maxBytes < MIN_BRIEFING_BYTES) {
    throw new BacklogError('INVALID_INPUT', `max_bytes must be at least ${MIN_BRIEFING_BYTES}, not ${maxBytes}`)
  }
  const agent = input.agent ?? core.options.agent?.() ?? (await store.author()).name
  const sinceTime = input.since === undefined ? undefined : resolveDateExpression(input.since, core.now())?.date
  if (input.since !== undefined && !sinceTime) {
    throw new BacklogError('INVALID_INPUT', `since "${input.since}" is not a date`)
  }
  const about = await summary(core)
  const empty = { total: 0, items: [] }
  if (!about.initialized) {
    const text = `No backlog in this repository yet (${about.branch}): backlog_create (or git backlog add) starts one.`
    return {
      agent,
      text,
      bytes: Buffer.byteLength(text),
      max_bytes: maxBytes,
      in_progress: empty,
      ready: empty,
      blocked: empty,
      changes: { total: 0, commits: [] },
      trimmed: [],
      no_backlog: true,
    }
  }

  const inProgress = await list(core, { status: ['in_progress'], limit: CAPS.in_progress })
  const ready = await list(core, { filter: READY_WORK, limit: CAPS.ready })
  const blocked = await list(core, { filter: '+BLOCKED', limit: CAPS.blocked })
  // The agent's own work first: it is what it came back to.
  const mine = inProgress.items.filter((row) => row.assignee && sameName(row.assignee, agent))
  const progressRows = [...mine, ...inProgress.items.filter((row) => !mine.includes(row))].map(briefRow)
  const graph = core.selector.graph(store.all(), store.config())
  const blockedRows: BlockedRow[] = blocked.items.map((row) => {
    const item = store.get(row.id)?.item
    const waiting = item ? graph.openDependencies(item) : []
    return {
      ...briefRow(row),
      ...(waiting.length ? { waiting_on: waiting } : {}),
      ...(item?.blocked_reason.length ? { blocked_reason: [...item.blocked_reason] } : {}),
    }
  })

  // What changed since: the commits after the agent's latest, newest first, or those after `since`.
  const isMine = (entry: BacklogCommit) =>
    entry.agent !== undefined ? sameName(entry.agent, agent) : sameName(entry.author, agent)
  const changes: BriefingChange[] = []
  let total = 0
  let since: { commit?: string; date: string } | undefined
  let more = false
  for await (const { entry } of core.log.walk()) {
    if (sinceTime) {
      if (Date.parse(entry.date) < sinceTime.getTime()) break
    } else if (isMine(entry)) {
      since = { commit: entry.commit, date: entry.date }
      break
    }
    if (total >= MAX_SCAN) {
      more = true
      break
    }
    total++
    if (changes.length < CAPS.changes) {
      changes.push({ commit: entry.commit, date: entry.date, who: whoOf(entry), subject: entry.subject })
    }
  }
  if (sinceTime) since = { date: formatTimestamp(sinceTime) }

  const changesTitle = sinceTime
    ? `Changed since ${shortTime(since?.date ?? '')}: ${total}${more ? '+' : ''} commit${total === 1 ? '' : 's'}`
    : since
      ? `Changed since your last change (${shortTime(since.date)}, ${since.commit?.slice(0, 7)}): ${total}${more ? '+' : ''} commit${total === 1 ? '' : 's'}`
      : `No earlier change by ${agent} on this branch; the latest changes (${total}${more ? '+' : ''}):`
  const sections: BriefingSection[] = [
    {
      key: 'in_progress',
      title: `In progress (${inProgress.total}):`,
      lines: progressRows.map((row) => rowLine(row, agent)),
      total: inProgress.total,
      more: 'backlog_list status ["in_progress"]',
    },
    {
      key: 'ready',
      title: `Ready, most urgent first (${ready.total}):`,
      lines: ready.items.map((row) => rowLine(briefRow(row), agent)),
      total: ready.total,
      more: `backlog_list filter "${READY_WORK}"`,
    },
    {
      key: 'blocked',
      title: `Blocked (${blocked.total}):`,
      lines: blockedRows.map((row) => {
        const why = [
          ...(row.waiting_on ? [`waits on ${row.waiting_on.join(', ')}`] : []),
          ...(row.blocked_reason ?? []).map((reason) => `"${cutToBytes(reason, 80)}"`),
        ]
        // The title gives way to the reasons: why it is blocked is what this section is for.
        return `${rowLine(row, agent, why.length ? 90 : MAX_LINE_BYTES)}${why.length ? `: ${why.join('; ')}` : ''}`
      }),
      total: blocked.total,
      more: 'backlog_list filter "+BLOCKED"',
    },
    {
      key: 'changes',
      title: changesTitle,
      lines: changes.map((change) => `${shortTime(change.date)} ${change.who}: ${change.subject}`),
      total,
      more: 'backlog_history',
      keep: since !== undefined,
    },
  ]
  const upstream = inProgress.upstream
  const header = [
    `Backlog briefing for ${agent} on ${about.branch}: ${about.items} items; ${inProgress.total} in progress, ${ready.total} ready, ${blocked.total} blocked.`,
    ...(upstream
      ? [
          `The branch is ${upstream.behind} commit(s) behind ${upstream.upstream}: run git backlog sync before claiming.`,
        ]
      : []),
    ...(inProgress.problems?.length
      ? [`${inProgress.problems.length} item file(s) cannot be read: git backlog doctor says which.`]
      : []),
  ]
  const footer = [
    'Next: claim one with backlog_update {id, claim: true}; note progress with note, finish with status done.',
  ]
  const fitted = fitBriefing(header, sections, footer, maxBytes)
  const take = <T>(rows: T[], key: string) => rows.slice(0, fitted.shown[key] ?? 0)
  return {
    agent,
    text: fitted.text,
    bytes: Buffer.byteLength(fitted.text),
    max_bytes: maxBytes,
    in_progress: { total: inProgress.total, items: take(progressRows, 'in_progress') },
    ready: { total: ready.total, items: take(ready.items.map(briefRow), 'ready') },
    blocked: { total: blocked.total, items: take(blockedRows, 'blocked') },
    changes: {
      ...(since ? { since } : {}),
      total,
      ...(more ? { more } : {}),
      commits: take(changes, 'changes'),
    },
    trimmed: fitted.trimmed,
  }
}
