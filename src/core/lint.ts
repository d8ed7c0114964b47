/**
 * The lint rules: pure checks over a snapshot of `.backlog/` (store/backlog-snapshot.ts reads it) that say, file by
 * file and line by line, what is wrong and what to do. A rule is one function in LINT_RULES; a new one is a function
 * and a line there.
 */

import { hasConflictBlock, inLayout as inMergeLayout } from './codec.js'
import { type BacklogConfig, DEFAULT_CONFIG, parseConfig } from './config.js'
import { parseDateValue } from './dates.js'
import { isBacklogError } from './errors.js'
import { FIELDS, type FieldSpec } from './fields.js'
import { assertValidId, idKey } from './ids.js'
import { ITEM_TYPES, type Item, normalizePriority } from './item.js'
import { ARCHIVE_DIR, ATTRIBUTES_PATH, BACKLOG_DIR, CONFIG_PATH, idFromPath, itemPath, TASKS_DIR } from './layout.js'
import { parseRecurrence } from './recurrence.js'

export type LintSeverity = 'error' | 'warning'

/** The stable codes of the rules: scripts and CI match on them. */
export type LintRuleCode =
  | 'config'
  | 'schema'
  | 'unreadable'
  | 'conflict-markers'
  | 'dangling-parent'
  | 'dangling-dependency'
  | 'cycle'
  | 'duplicate-id'
  | 'file-name'
  | 'outside-layout'
  | 'merge-layout'

export interface LintFinding {
  rule: LintRuleCode
  severity: LintSeverity
  /** Repository-relative, `/`-separated. */
  path: string
  /** 1-based, where one can be named. */
  line?: number
  /** What is wrong and what to do. */
  message: string
}

/** An item file that could be read. */
export interface SnapshotItem {
  path: string
  item: Item
}

/** An item file that could not be read, as the read model reports it. */
export interface SnapshotProblem {
  path: string
  line?: number
  reason: string
  fix: string
}

/**
 * `.backlog/` as the working tree has it, which every rule looks at. Item files are those under tasks/ and archive/
 * that the read model reads (`*.md`, not README.md, not hidden).
 */
export interface BacklogSnapshot {
  /** Every file under `.backlog/` (writers' temporary files aside), repository-relative, sorted. */
  files: readonly string[]
  /** The text of config.yml, undefined when there is none. */
  configText: string | undefined
  /** The text of every item file, readable or not. */
  texts: ReadonlyMap<string, string>
  /** Readable items, one per id (with duplicates, the file `kept`). */
  items: readonly SnapshotItem[]
  /** Item files that cannot be read. */
  unreadable: readonly SnapshotProblem[]
  /** Ids held by more than one readable file. */
  duplicates: readonly { id: string; paths: readonly string[]; kept: string }[]
  /** Files under `.backlog/` git has unmerged (a merge in progress). */
  unmerged: ReadonlySet<string>
}

/** What rules share, derived once from the snapshot. */
export interface LintContext {
  snapshot: BacklogSnapshot
  /** The config, or the defaults when it cannot be read (the `config` rule reports that). */
  config: BacklogConfig
  /** The item of each id (idKey). */
  byId: ReadonlyMap<string, Item>
  /** Ids in use: readable items, duplicates, and the file names of unreadable item files (reported on their own). */
  taken: ReadonlySet<string>
  /** The line of each top-level frontmatter key of a file (first occurrence). */
  keyLines(path: string): ReadonlyMap<string, number>
}

export type LintRule = (context: LintContext) => LintFinding[]

const MARKER_LINE = /^(?:<{7}|={7}|>{7})(?: |$)/
const OPENING_MARKER = /^<{7}(?: |$)/
const DELIMITER = /^---[ \t]*$/
const TOP_LEVEL_KEY = /^(?:"([^"]+)"|'([^']+)'|([^\s#'"\-?:,[\]{}][^:#]*?))[ \t]*:(?:[ \t]|$)/

function linesOf(text: string): string[] {
  return text.split(/\r?\n/)
}

/** The 1-based line of the first line matching `pattern` at or after line `from`, if any. */
function findLine(text: string, pattern: RegExp, from = 1): number | undefined {
  const lines = linesOf(text)
  for (let index = from - 1; index < lines.length; index++) if (pattern.test(lines[index] ?? '')) return index + 1
  return undefined
}

/**
 * The line of each top-level key of a file's frontmatter (the first time a key appears), read from the text so that
 * a finding points where the person must edit.
 *
 * @example
 * frontmatterKeyLines('---\nid: bl-x\nstatus: nope\n---\n').get('status') // 3
 */
export function frontmatterKeyLines(text: string): Map<string, number> {
  const lines = linesOf(text)
  return lines[0]?.startsWith('---') ? keyLinesOf(lines, 1) : new Map()
}

/** The 1-based line of each top-level key from line index `from` up to a `---` line. */
function keyLinesOf(lines: readonly string[], from: number): Map<string, number> {
  const found = new Map<string, number>()
  for (let index = from; index < lines.length; index++) {
    const line = lines[index] ?? ''
    if (DELIMITER.test(line)) break
    const match = TOP_LEVEL_KEY.exec(line)
    const key = match?.[1] ?? match?.[2] ?? match?.[3]
    if (key !== undefined && !found.has(key)) found.set(key, index + 1)
  }
  return found
}

/** The line of `value` among the entries of a list key (`- value` lines under it), else the key's own line. */
function entryLine(text: string, keyLine: number | undefined, value: string): number | undefined {
  if (keyLine === undefined) return undefined
  const lines = linesOf(text)
  for (let index = keyLine; index < lines.length; index++) {
    const line = lines[index] ?? ''
    if (!/^\s/.test(line) && !line.startsWith('-')) break
    if (
      line
        .replace(/^[\s-]+/, '')
        .replace(/["']/g, '')
        .trim() === value
    )
      return index + 1
  }
  return keyLine
}

/**
 * Strongly connected trouble: cycles among `nodes` following `next`, each found once (a walk that meets a node still
 * on its path has closed a cycle). Iterative, so a chain of 10,000 items does not exhaust the stack.
 *
 * @example
 * findCycles(['a', 'b', 'c'], (id) => ({ a: ['b'], b: ['a'] })[id] ?? []) // [['a', 'b']]
 */
export function findCycles(nodes: Iterable<string>, next: (node: string) => readonly string[]): string[][] {
  const state = new Map<string, 'open' | 'done'>()
  const cycles: string[][] = []
  for (const start of nodes) {
    if (state.has(start)) continue
    const path: string[] = [start]
    const stack = [{ edges: next(start), at: 0 }]
    state.set(start, 'open')
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { edges: readonly string[]; at: number }
      if (top.at >= top.edges.length) {
        state.set(path.pop() as string, 'done')
        stack.pop()
        continue
      }
      const to = top.edges[top.at++] as string
      const seen = state.get(to)
      if (seen === 'open') cycles.push(path.slice(path.indexOf(to)))
      else if (seen === undefined) {
        state.set(to, 'open')
        path.push(to)
        stack.push({ edges: next(to), at: 0 })
      }
    }
  }
  return cycles
}

function finding(
  rule: LintRuleCode,
  severity: LintSeverity,
  path: string,
  line: number | undefined,
  message: string,
): LintFinding {
  return line === undefined ? { rule, severity, path, message } : { rule, severity, path, line, message }
}

/** config.yml must read as the app reads it: every command fails on one it cannot. */
export const configRule: LintRule = ({ snapshot }) => {
  if (snapshot.configText === undefined) return []
  try {
    parseConfig(snapshot.configText)
    return []
  } catch (error) {
    if (!isBacklogError(error)) throw error
    const message = error.message.split('\n')[0] ?? error.message
    const key = typeof error.details?.key === 'string' ? error.details.key : undefined
    // js-yaml names the place as (line:column), counting from 1; a wrong setting is found by its key.
    const where = /\((\d+):\d+\)/.exec(message)?.[1]
    const line = where ? Number(where) : key ? keyLinesOf(linesOf(snapshot.configText), 0).get(key) : undefined
    return [finding('config', 'error', CONFIG_PATH, line, `${message}; every command fails until it is fixed`)]
  }
}

/** Files the read model cannot read: conflict markers git left, or the line and reason the parser names. */
export const unreadableRule: LintRule = ({ snapshot }) =>
  snapshot.unreadable.map((problem) => {
    const text = snapshot.texts.get(problem.path) ?? ''
    const marker = findLine(text, MARKER_LINE)
    if (marker !== undefined && findLine(text, OPENING_MARKER) !== undefined) {
      return finding(
        'conflict-markers',
        'error',
        problem.path,
        findLine(text, OPENING_MARKER),
        'git conflict markers in the frontmatter: `git backlog resolve` merges the file field by field while the merge is unfinished; or keep the lines you want and remove the <<<<<<< ======= >>>>>>> lines',
      )
    }
    return finding(
      'unreadable',
      'error',
      problem.path,
      problem.line,
      `${problem.reason}. ${problem.fix.replace('<path>', problem.path)}`,
    )
  })

/**
 * Conflict markers in a readable item's body: any marker line while git has the file unmerged, else a whole block
 * (`<<<<<<<` … `=======` … `>>>>>>>` at the start of lines), which is what a merge committed unfinished leaves. Text
 * meant to show such a block is indented (a markdown code block), which this rule leaves alone.
 */
export const conflictMarkersRule: LintRule = ({ snapshot }) =>
  snapshot.items.flatMap(({ path, item }) => {
    const text = snapshot.texts.get(path) ?? ''
    const unmerged = snapshot.unmerged.has(path)
    if (!unmerged && !hasConflictBlock(item.description)) return []
    const line = findLine(text, unmerged ? MARKER_LINE : OPENING_MARKER)
    if (line === undefined) return []
    return [
      finding(
        'conflict-markers',
        'error',
        path,
        line,
        unmerged
          ? 'git conflict markers and the merge of this file is unfinished: `git backlog resolve` merges it field by field; or keep the lines you want, remove the markers, then `git add` the file'
          : 'git conflict markers in the body (a merge committed unfinished): keep the lines you want and remove the <<<<<<< ======= >>>>>>> lines (indent a block meant as text)',
      ),
    ]
  })

const DATE_FIELDS = (FIELDS as readonly FieldSpec[])
  .filter((field) => field.place === 'frontmatter' && (field.kind === 'date' || field.kind === 'stamp'))
  .map((field) => field.name as 'due' | 'scheduled' | 'wait' | 'until' | 'created' | 'started' | 'closed')

/** Every known field holds a value the app accepts; keys it does not know are the user's own and fine. */
export const schemaRule: LintRule = ({ snapshot, config, keyLines }) =>
  snapshot.items.flatMap(({ path, item }) => {
    const lines = keyLines(path)
    const found: LintFinding[] = []
    const wrong = (key: string, message: string) =>
      found.push(finding('schema', 'error', path, lines.get(key) ?? 1, message))
    try {
      assertValidId(item.id)
    } catch {
      wrong('id', `id "${item.id}" is not an id: use letters, digits, "-", "_" or "." (like bl-k3m9x2)`)
    }
    if (item.title.trim() === '') wrong('title', 'no title: every item needs a `title:` line')
    if (!(ITEM_TYPES as readonly string[]).includes(item.type)) {
      wrong('type', `type "${item.type}" is not one of ${ITEM_TYPES.join(', ')}`)
    }
    if (!config.statuses.some((status) => status.toLowerCase() === item.status.toLowerCase())) {
      wrong(
        'status',
        `status "${item.status}" is not one of ${config.statuses.join(', ')}: use one of them, or add it to statuses in ${CONFIG_PATH}`,
      )
    }
    if (item.priority !== undefined && normalizePriority(item.priority) === undefined) {
      wrong('priority', `priority "${item.priority}" is not urgent, high, medium or low`)
    }
    for (const field of DATE_FIELDS) {
      const value = item[field]
      if (value !== undefined && parseDateValue(value) === undefined) {
        wrong(field, `${field} "${value}" is not a date: write YYYY-MM-DD or an ISO timestamp (2026-12-01T09:30:00Z)`)
      }
    }
    if (item.recur !== undefined && parseRecurrence(item.recur) === undefined) {
      wrong('recur', `recur "${item.recur}" is not a recurrence: use daily, weekly, monthly, "every 2 weeks", 3d…`)
    }
    return found
  })

/**
 * `parent`, `epic` and `depends_on` name items that exist. An archived item exists (it can be shown and brought
 * back), and so does the id an unreadable file is named by (that file is reported on its own).
 */
export const danglingRule: LintRule = ({ snapshot, taken, keyLines }) =>
  snapshot.items.flatMap(({ path, item }) => {
    const found: LintFinding[] = []
    const text = snapshot.texts.get(path) ?? ''
    for (const field of ['parent', 'epic'] as const) {
      const target = item[field]
      if (target !== undefined && !taken.has(idKey(target))) {
        found.push(
          finding(
            'dangling-parent',
            'error',
            path,
            keyLines(path).get(field),
            `${field} ${target} names no item (archived ones included): fix the id or remove the line`,
          ),
        )
      }
    }
    for (const target of item.depends_on) {
      if (taken.has(idKey(target))) continue
      found.push(
        finding(
          'dangling-dependency',
          'error',
          path,
          entryLine(text, keyLines(path).get('depends_on'), target),
          `depends_on ${target} names no item (archived ones included): fix the id or remove it from the list`,
        ),
      )
    }
    return found
  })

/** No item is its own ancestor (by `parent` or by `epic`) or its own dependency: each cycle once, ids named. */
export const cycleRule: LintRule = ({ snapshot, byId, keyLines }) => {
  const pathOf = new Map(snapshot.items.map(({ path, item }) => [idKey(item.id), path]))
  const relations = [
    ['parent', (item: Item) => (item.parent === undefined ? [] : [item.parent])],
    ['epic', (item: Item) => (item.epic === undefined ? [] : [item.epic])],
    ['depends_on', (item: Item) => item.depends_on],
  ] as const
  return relations.flatMap(([field, targets]) => {
    const next = (key: string) => {
      const item = byId.get(key)
      return item
        ? targets(item)
            .map(idKey)
            .filter((target) => byId.has(target))
        : []
    }
    return findCycles([...byId.keys()].sort(), next).map((cycle) => {
      // Start at the smallest id, so the same cycle is reported the same way whichever item the walk met first.
      const first = cycle.indexOf([...cycle].sort()[0] as string)
      const ordered = [...cycle.slice(first), ...cycle.slice(0, first)]
      const ids = ordered.map((key) => byId.get(key)?.id ?? key)
      const path = pathOf.get(ordered[0] as string) as string
      const loop = [...ids, ids[0]].join(' → ')
      return finding(
        'cycle',
        'error',
        path,
        keyLines(path).get(field),
        `${field} forms a cycle: ${loop}; remove one of these links`,
      )
    })
  })
}

/** One id, one file: each copy that is not the one used is named, with the one that is. */
export const duplicateIdRule: LintRule = ({ snapshot, keyLines }) =>
  snapshot.duplicates.flatMap(({ id, paths, kept }) =>
    paths
      .filter((path) => path !== kept)
      .map((path) =>
        finding(
          'duplicate-id',
          'error',
          path,
          keyLines(path).get('id'),
          `id ${id} is also the id of ${kept}, which is the one used: give this file a new id (and file name), or delete the copy you do not want`,
        ),
      ),
  )

/**
 * A file is named by its id, in the folder of the id's last character (core/layout.ts): a name that disagrees with
 * the id is an error (lookups by name and the next write go to another file); a file in another folder is read, so
 * only a warning.
 */
export const fileNameRule: LintRule = ({ snapshot, keyLines }) =>
  snapshot.items.flatMap(({ path, item }) => {
    const named = idFromPath(path) ?? ''
    const archived = path.startsWith(`${ARCHIVE_DIR}/`)
    const expected = itemPath(item.id, archived ? ARCHIVE_DIR : TASKS_DIR)
    if (idKey(named) !== idKey(item.id)) {
      return [
        finding(
          'file-name',
          'error',
          path,
          keyLines(path).get('id'),
          `the file holds id ${item.id} but is named ${named}.md: move it to ${expected} (\`git mv ${path} ${expected}\`), or fix the id`,
        ),
      ]
    }
    const folder = (of: string) => of.slice(0, of.lastIndexOf('/'))
    if (folder(path) === folder(expected)) return []
    return [
      finding(
        'file-name',
        'warning',
        path,
        undefined,
        `${item.id} belongs in ${folder(expected)}/: \`git mv ${path} ${expected}\``,
      ),
    ]
  })

/** True for the files the layout has a place for. */
function hasPlace(path: string): boolean {
  if (path === CONFIG_PATH || path === ATTRIBUTES_PATH) return true
  const segments = path.slice(BACKLOG_DIR.length + 1).split('/')
  const name = segments[segments.length - 1] ?? ''
  if (segments.some((segment) => segment.startsWith('.'))) return false
  // A README explains a folder to people browsing the repository; the read model leaves it alone.
  if (name.toLowerCase() === 'readme.md') return true
  const underItems = path.startsWith(`${TASKS_DIR}/`) || path.startsWith(`${ARCHIVE_DIR}/`)
  return underItems && name.endsWith('.md')
}

/**
 * Files under `.backlog/` that have no place in the layout: a markdown file the backlog never reads is an error (an
 * item lost from view), anything else a warning.
 */
export const outsideLayoutRule: LintRule = ({ snapshot }) =>
  snapshot.files
    .filter((path) => !hasPlace(path))
    .map((path) =>
      path.endsWith('.md')
        ? finding(
            'outside-layout',
            'error',
            path,
            undefined,
            `the backlog never reads this file: items live in ${TASKS_DIR}/<last character of the id>/<id>.md (or ${ARCHIVE_DIR}/); move it there or out of ${BACKLOG_DIR}/`,
          )
        : finding(
            'outside-layout',
            'warning',
            path,
            undefined,
            `${BACKLOG_DIR}/ holds config.yml, .gitattributes and item files (*.md) under tasks/ and archive/: move this file out of ${BACKLOG_DIR}/`,
          ),
    )

/** Past this many files out of the merge-friendly layout, one more finding counts the rest. */
const MERGE_LAYOUT_NAMED = 10

/**
 * Item files not in the layout git's line merge can merge (docs/adr/0018-a-layout-the-merge-button-can-merge.md): they
 * read fine and move on their next write, but until then two branches' edits to different fields may conflict on the
 * merge button. A warning, naming the first few files and counting the rest.
 */
export const mergeLayoutRule: LintRule = ({ snapshot }) => {
  const outside = snapshot.items.filter(({ path }) => {
    const text = snapshot.texts.get(path)
    return text !== undefined && !inMergeLayout(text)
  })
  const fix = '`git backlog doctor --fix` moves every item to it in one commit'
  const named = outside
    .slice(0, MERGE_LAYOUT_NAMED)
    .map(({ path }) =>
      finding(
        'merge-layout',
        'warning',
        path,
        undefined,
        `not in the layout that merges line by line (edits to different fields on two branches may conflict on a merge button): ${fix}`,
      ),
    )
  const rest = outside.length - named.length
  if (rest <= 0) return named
  const first = outside[MERGE_LAYOUT_NAMED] as SnapshotItem
  return [
    ...named,
    finding('merge-layout', 'warning', first.path, undefined, `and ${rest} more item files not in the layout: ${fix}`),
  ]
}

/** Every rule, in the order their findings are reported for one line. */
export const LINT_RULES: readonly LintRule[] = [
  configRule,
  outsideLayoutRule,
  unreadableRule,
  conflictMarkersRule,
  duplicateIdRule,
  fileNameRule,
  schemaRule,
  danglingRule,
  cycleRule,
  mergeLayoutRule,
]

/** The context the rules share, built from a snapshot. */
export function lintContext(snapshot: BacklogSnapshot): LintContext {
  let config = DEFAULT_CONFIG
  try {
    if (snapshot.configText !== undefined) config = parseConfig(snapshot.configText)
  } catch {
    // configRule reports it; the other rules check against the defaults meanwhile
  }
  const byId = new Map(snapshot.items.map(({ item }) => [idKey(item.id), item]))
  const taken = new Set(byId.keys())
  for (const { id } of snapshot.duplicates) taken.add(idKey(id))
  for (const { path } of snapshot.unreadable) {
    const named = idFromPath(path)
    if (named) taken.add(idKey(named))
  }
  const lines = new Map<string, Map<string, number>>()
  const keyLines = (path: string) => {
    let found = lines.get(path)
    if (!found) {
      found = frontmatterKeyLines(snapshot.texts.get(path) ?? '')
      lines.set(path, found)
    }
    return found
  }
  return { snapshot, config, byId, taken, keyLines }
}

/**
 * Runs the rules over a snapshot: findings sorted by path, line and rule, so the output is the same on every run.
 *
 * @example
 * const findings = lintBacklog(snapshot)
 * findings.filter((one) => one.severity === 'error').length // 0 for a sound backlog
 */
export function lintBacklog(snapshot: BacklogSnapshot, rules: readonly LintRule[] = LINT_RULES): LintFinding[] {
  const context = lintContext(snapshot)
  const order = new Map(rules.map((rule, index) => [rule, index]))
  const ranked = rules.flatMap((rule) => rule(context).map((found) => ({ found, rank: order.get(rule) ?? 0 })))
  ranked.sort(
    (a, b) =>
      (a.found.path < b.found.path ? -1 : a.found.path > b.found.path ? 1 : 0) ||
      (a.found.line ?? 0) - (b.found.line ?? 0) ||
      a.rank - b.rank,
  )
  return ranked.map(({ found }) => found)
}
