/**
 * A review of the backlog's changes as text, the same for both edges (`git backlog review` and backlog_history with
 * a range): for a terminal, and as markdown to paste into a pull request, where every text from an item is escaped so
 * that a title with `<script>`, `|` or backticks cannot break the comment.
 */

import { CHANGE_KINDS, type ChangeKind, type Review, type ReviewChange, type ReviewItem } from '../core/review.js'

/** How each kind is counted in the heading: `3 created · 2 closed · 1 moved`. */
const COUNT_WORDS: Record<ChangeKind, string> = {
  created: 'created',
  closed: 'closed',
  deleted: 'deleted',
  reopened: 'reopened',
  archived: 'archived',
  unarchived: 'unarchived',
  unreadable: 'unreadable',
  status: 'moved',
  assignee: 'reassigned',
  priority: 'reprioritised',
  due: 'due changed',
  parent: 're-parented',
  title: 'retitled',
  tags: 'retagged',
  notes: 'with notes',
  description: 'described',
  field: 'edited',
}

/** Past this many characters a note or an evidence list goes into a `<details>` block of the markdown. */
const LONG_TEXT = 200
/** Past this many entries an evidence list goes into a `<details>` block. */
const LONG_LIST = 3

function short(commit: string): string {
  return commit.slice(0, 7)
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** A value as a person reads it: lists joined by commas, a reference as its title and address. */
function shown(value: unknown): string {
  if (value === undefined || value === null) return '(none)'
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.length ? value.map(shown).join(', ') : '(none)'
  if (typeof value === 'object' && typeof (value as { url?: unknown }).url === 'string') {
    const { url, title } = value as { url: string; title?: unknown }
    return typeof title === 'string' && title ? `${title} <${url}>` : url
  }
  return JSON.stringify(value)
}

/** `3 created · 2 closed · 1 moved`. */
export function reviewCounts(review: Review): string {
  return CHANGE_KINDS.filter((kind) => review.counts[kind])
    .map((kind) => `${review.counts[kind]} ${COUNT_WORDS[kind]}`)
    .join(' · ')
}

/** How a rendering writes text from the repository (revision names) and commands. */
interface Style {
  text(text: string): string
  code(text: string): string
  /** A warning the reader must not miss. */
  warning(text: string): string
}

const PLAIN: Style = { text: (text) => text, code: (text) => text, warning: (text) => `WARNING: ${text}` }

function sideName(side: { name: string; commit: string }, style: Style): string {
  return `${style.text(side.name)} (${short(side.commit)})`
}

/** The sentence said when nothing changed. */
function nothing(review: Review, style: Style): string {
  return `No backlog changes between ${sideName(review.base, style)} and ${sideName(review.head, style)}.`
}

/** What was compared, and what could not be known. */
function rangeLines(review: Review, style: Style): string[] {
  const lines = [
    `${sideName(review.base, style)} → ${sideName(review.head, style)}, ${
      review.merge_base
        ? `from their merge base ${short(review.compared)}`
        : 'comparing the two trees (no merge base in this clone)'
    }`,
  ]
  if (review.history === 'missing') {
    lines.push(
      'The history between them is not in this clone (shallow): what changed is known, who made each change is not. ' +
        `${style.code('git fetch --deepen=100')} (or ${style.code('--unshallow')}) brings it.`,
    )
  }
  for (const item of review.lost ?? []) {
    const what = `${style.code(item.id)} ${style.text(`"${item.title}"`)} was changed on one side of this merge and deleted on the other, and the merge left it out`
    const sync = style.code('git backlog sync <base>')
    lines.push(
      style.warning(
        item.into
          ? `${what}: git took it for a move to ${style.code(item.into)}, which got its change instead. Merge the base into the branch with ${sync} first, which keeps both.`
          : `${what}. If that was not meant, merge the base into the branch with ${sync} first, which keeps it.`,
      ),
    )
  }
  return lines
}

interface Notes {
  text: string
  by?: string
}

function notesOf(value: unknown): Notes[] {
  return Array.isArray(value) ? (value as Notes[]) : []
}

function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]
}

function createdFacts(change: ReviewChange): string[] {
  const fields = (change.new ?? {}) as Record<string, unknown>
  const list = (value: unknown) => texts(value).join(', ')
  return [
    typeof fields.status === 'string' ? fields.status : '',
    fields.priority ? `priority ${fields.priority}` : '',
    fields.parent ? `parent ${fields.parent}` : '',
    fields.assignee ? `assignee ${fields.assignee}` : '',
    fields.tags ? `tags ${list(fields.tags)}` : '',
    fields.depends_on ? `depends on ${list(fields.depends_on)}` : '',
    fields.due ? `due ${fields.due}` : '',
  ].filter(Boolean)
}

/** A created item's description, when it has one. */
function createdDescription(change: ReviewChange): string | undefined {
  const description = (change.new as { description?: unknown } | undefined)?.description
  return typeof description === 'string' && description.trim() ? description.trimEnd() : undefined
}

/** Lines of a created item's description a terminal shows. */
const TERMINAL_DESCRIPTION_LINES = 6

// ── terminal ────────────────────────────────────────────────────────────────────────────────────────────────────

function terminalChange(change: ReviewChange): string[] {
  switch (change.kind) {
    case 'created': {
      const fields = (change.new ?? {}) as Record<string, string | undefined>
      const description = createdDescription(change)?.split('\n') ?? []
      return [
        `created ${fields.type ?? 'item'} ${JSON.stringify(fields.title ?? '')} (${createdFacts(change).join(', ')})`,
        ...description.slice(0, TERMINAL_DESCRIPTION_LINES).map((line) => `  ${clip(line, 160)}`),
        ...(description.length > TERMINAL_DESCRIPTION_LINES
          ? [`  … ${description.length - TERMINAL_DESCRIPTION_LINES} more lines`]
          : []),
      ]
    }
    case 'closed':
      return [
        `closed: ${change.old === undefined ? '' : `${shown(change.old)} → `}${shown(change.new)}${change.by ? `, by ${change.by}` : ''}`,
        ...(change.evidence ?? []).map((entry) => `  evidence: ${clip(entry, 160)}`),
      ]
    case 'reopened':
    case 'status':
      return [`${change.kind === 'reopened' ? 'reopened' : 'status'}: ${shown(change.old)} → ${shown(change.new)}`]
    case 'deleted':
      return [`deleted${change.old === undefined ? '' : ` ${JSON.stringify(change.old)}`}`]
    case 'archived':
    case 'unarchived':
      return [`${change.kind} (${shown(change.old)} → ${shown(change.new)})`]
    case 'unreadable':
      return change.new === undefined
        ? [`readable again (it could not be read before: ${shown(change.old)})`]
        : [`cannot be read: ${shown(change.new)}`]
    case 'tags':
      return [
        `tags: ${[...texts(change.new).map((tag) => `+${tag}`), ...texts(change.old).map((tag) => `-${tag}`)].join(' ')}`,
      ]
    case 'notes':
      return [
        ...notesOf(change.new).map(
          (note) => `note added${note.by ? ` by ${note.by}` : ''}: ${JSON.stringify(clip(note.text, 160))}`,
        ),
        ...texts(change.old).map((text) => `note removed: ${JSON.stringify(clip(text, 160))}`),
      ]
    case 'description':
      return [
        'description:',
        ...String(change.new ?? '')
          .split('\n')
          .map((line) => `  ${clip(line, 160)}`),
      ]
    default:
      return [`${change.field ?? change.kind}: ${clip(shown(change.old), 80)} → ${clip(shown(change.new), 80)}`]
  }
}

function facts(item: ReviewItem): string[] {
  return [item.type ?? '', item.priority ?? '', item.status ?? ''].filter(Boolean)
}

function terminalItem(item: ReviewItem): string[] {
  const who = item.by?.length ? `  by ${item.by.join(', ')}` : ''
  const uncommitted = item.uncommitted ? '  (uncommitted)' : ''
  const head = `${item.id}  ${clip(item.title, 80)}  [${facts(item).join(' · ')}]${who}${uncommitted}`
  return [head, ...item.changes.flatMap(terminalChange).map((line) => `  ${line}`)]
}

/**
 * The review for a terminal: a heading with the counts, what was compared, then each item with its changes.
 *
 * @example
 * renderReview(review)
 * // Backlog changes: 1 created · 1 closed
 * // main (9f2c4e1) → feature (4d1a0b2), from their merge base 9f2c4e1
 * //
 * // bl-k3m9x2  Fix login  [task · high · done]  by claude
 * //   closed: in_progress → done, by claude
 */
export function renderReview(review: Review): string {
  if (review.items.length === 0 && !review.lost) return printable(nothing(review, PLAIN))
  const lines = [`Backlog changes: ${reviewCounts(review)}`, ...rangeLines(review, PLAIN)]
  for (const item of review.items) lines.push('', ...terminalItem(item))
  return printable(lines.join('\n'))
}

/**
 * Text a terminal prints as text: control characters from a file (an escape sequence in a title could rewrite the
 * reviewer's screen) shown as U+FFFD; line breaks and tabs stay.
 */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd')
}

// ── markdown ───────────────────────────────────────────────────────────────────────────────────────────────────

const WORD = /[\p{L}\p{N}]/u

/**
 * Text from an item, safe in a line of markdown: HTML's special characters as entities, the punctuation that opens
 * markup behind a backslash, line breaks as spaces. A title cannot open a tag, a table cell, a code span, emphasis or
 * a link, nor start a list or a heading; punctuation that can do nothing where it stands (the `-` in `rate-limit`,
 * the `_` in `in_progress`) is left as it is, so the comment reads well as text too.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*[\]|~]/g, (char) => `\\${char}`)
    .replace(/_/g, (char, at: number, whole: string) =>
      WORD.test(whole[at - 1] ?? '') && WORD.test(whole[at + 1] ?? '') ? char : `\\${char}`,
    )
    .replace(/^(?:[-+#=]|\d+[.)])/, (start) => `\\${start}`)
    .replace(/@/g, '@\u200b')
}

/** An id or a path as code when it can be one, else escaped text. */
export function code(text: string): string {
  return /^[\w./-]+$/.test(text) ? `\`${text}\`` : escapeMarkdown(text)
}

/** A fenced block whose fence is longer than any run of backticks inside, so the text cannot close it. */
function fenced(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length))
  const fence = '`'.repeat(longest + 1)
  return `${fence}${lang}\n${text}\n${fence}`
}

/** `summary` is HTML: text from an item in it is escaped with `escapeHtml`, where markdown's escapes would show. */
function details(summary: string, body: string): string[] {
  return ['<details>', `<summary>${summary}</summary>`, '', body, '', '</details>']
}

/** Text from an item inside an HTML element: its special characters as entities, mentions defused. */
function escapeHtml(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '@\u200b')
}

/** Past this many lines a created item's description is cut, with a line that says so. */
const DESCRIPTION_LINES = 40

function clipLines(text: string): string {
  const lines = text.split('\n')
  if (lines.length <= DESCRIPTION_LINES) return text
  return [...lines.slice(0, DESCRIPTION_LINES), `… ${lines.length - DESCRIPTION_LINES} more lines`].join('\n')
}

function by(who: string | undefined): string {
  return who ? `, by ${escapeMarkdown(who)}` : ''
}

/** The bullet lines of one change, and the `<details>` blocks its long parts go into. */
function markdownChange(change: ReviewChange): { bullets: string[]; blocks: string[][] } {
  const arrow = () => `${escapeMarkdown(shown(change.old))} → ${escapeMarkdown(shown(change.new))}`
  switch (change.kind) {
    case 'created': {
      const fields = (change.new ?? {}) as Record<string, unknown>
      const parts = createdFacts(change).map((fact) => escapeMarkdown(fact))
      const description = createdDescription(change)
      const lines = description?.split('\n').length ?? 0
      return {
        bullets: [`**created** ${escapeMarkdown(String(fields.type ?? 'item'))}: ${parts.join(', ')}`],
        blocks: description
          ? [
              details(
                `Description (${lines} line${lines === 1 ? '' : 's'})`,
                fenced(clipLines(description), 'markdown'),
              ),
            ]
          : [],
      }
    }
    case 'closed': {
      const evidence = change.evidence ?? []
      const long = evidence.length > LONG_LIST || evidence.some((entry) => entry.length > LONG_TEXT)
      const bullets = [
        `**closed**: ${change.old === undefined ? '' : `${escapeMarkdown(shown(change.old))} → `}${escapeMarkdown(shown(change.new))}${by(change.by)}`,
      ]
      if (evidence.length && !long) bullets.push(`evidence: ${evidence.map(escapeMarkdown).join('; ')}`)
      const blocks = long
        ? [
            details(
              `Evidence (${evidence.length})`,
              evidence.map((entry) => `- ${escapeMarkdown(clip(entry, 2000))}`).join('\n'),
            ),
          ]
        : []
      return { bullets, blocks }
    }
    case 'reopened':
      return { bullets: [`**reopened**: ${arrow()}`], blocks: [] }
    case 'status':
      return { bullets: [`**status**: ${arrow()}`], blocks: [] }
    case 'deleted':
      return { bullets: ['**deleted**'], blocks: [] }
    case 'archived':
    case 'unarchived':
      return { bullets: [`**${change.kind}**`], blocks: [] }
    case 'unreadable':
      return {
        bullets: [
          change.new === undefined
            ? `**readable again** (before: ${escapeMarkdown(clip(shown(change.old), LONG_TEXT))})`
            : `**cannot be read**: ${escapeMarkdown(clip(shown(change.new), LONG_TEXT))}`,
        ],
        blocks: [],
      }
    case 'tags': {
      const added = texts(change.new).map((tag) => `+${escapeMarkdown(tag)}`)
      const removed = texts(change.old).map((tag) => `−${escapeMarkdown(tag)}`)
      return { bullets: [`**tags**: ${[...added, ...removed].join(' ')}`], blocks: [] }
    }
    case 'notes': {
      const bullets: string[] = []
      const blocks: string[][] = []
      for (const note of notesOf(change.new)) {
        if (note.text.length <= LONG_TEXT) {
          bullets.push(`**note added**${note.by ? ` by ${escapeMarkdown(note.by)}` : ''}: ${escapeMarkdown(note.text)}`)
        } else {
          bullets.push(
            `**note added**${note.by ? ` by ${escapeMarkdown(note.by)}` : ''}: ${escapeMarkdown(clip(note.text, 80))} (in full below)`,
          )
          blocks.push(details(`Note${note.by ? ` by ${escapeHtml(note.by)}` : ''}`, fenced(note.text, 'text')))
        }
      }
      for (const text of texts(change.old)) bullets.push(`**note removed**: ${escapeMarkdown(clip(text, LONG_TEXT))}`)
      return { bullets, blocks }
    }
    case 'description': {
      const diff = String(change.new ?? '')
      const lines = diff.split('\n').length
      return {
        bullets: ['**description** edited'],
        blocks: [details(`Description diff (${lines} line${lines === 1 ? '' : 's'})`, fenced(diff, 'diff'))],
      }
    }
    default:
      return {
        bullets: [
          `**${escapeMarkdown(change.field ?? change.kind)}**: ${escapeMarkdown(clip(shown(change.old), LONG_TEXT))} → ${escapeMarkdown(clip(shown(change.new), LONG_TEXT))}`,
        ],
        blocks: [],
      }
  }
}

function markdownItem(item: ReviewItem): string[] {
  const meta = [...facts(item).map(escapeMarkdown)]
  if (item.by?.length) meta.push(`by ${item.by.map(escapeMarkdown).join(', ')}`)
  if (item.uncommitted) meta.push('uncommitted')
  const bullets: string[] = []
  const blocks: string[][] = []
  for (const change of item.changes) {
    const part = markdownChange(change)
    bullets.push(...part.bullets.map((bullet) => `- ${bullet}`))
    blocks.push(...part.blocks)
  }
  const lines = [`#### ${code(item.id)} ${escapeMarkdown(item.title)}`, '', meta.join(' · '), '', ...bullets]
  for (const block of blocks) lines.push('', ...block)
  return lines
}

/** What a pull-request comment may hold: GitHub refuses comments past 65,536 characters. */
export const COMMENT_CHARS = 60_000

/**
 * The review as markdown for a pull request: a heading with the counts, what was compared, then a section per item;
 * description diffs, long notes and long evidence lists folded into `<details>`. With `maxChars`, the items that fit
 * (most important first) and a last line saying how many were left out.
 *
 * @example
 * renderReviewMarkdown(review)
 * // ### Backlog changes: 1 created · 1 closed
 * //
 * // `main` (9f2c4e1) → `feature` (4d1a0b2), from their merge base 9f2c4e1
 * //
 * // #### `bl-k3m9x2` Fix login
 * // …
 */
export function renderReviewMarkdown(review: Review, options: { maxChars?: number } = {}): string {
  return fitReviewMarkdown(review, options.maxChars ?? Number.POSITIVE_INFINITY).text
}

/** The markdown of `renderReviewMarkdown` within `maxChars`, and how many items it shows. */
export function fitReviewMarkdown(review: Review, maxChars: number): { text: string; shown: number } {
  const style: Style = {
    text: escapeMarkdown,
    code: (text) => `\`${text}\``,
    warning: (text) => `> [!WARNING]\n> ${text}`,
  }
  if (review.items.length === 0 && !review.lost) return { text: nothing(review, style), shown: 0 }
  const head = [`### Backlog changes: ${reviewCounts(review)}`, '']
  for (const line of rangeLines(review, style)) head.push(line, '')
  const sections = review.items.map((item) => `${markdownItem(item).join('\n')}\n\n`)
  let text = `${head.join('\n')}\n`
  const whole = `${text}${sections.join('')}`.trimEnd()
  if (whole.length <= maxChars) return { text: whole, shown: review.items.length }
  let shown = 0
  for (const section of sections) {
    // Room for the section, and for the line that counts the items after it.
    if (text.length + section.length + LEFT_OUT_ROOM > maxChars) break
    text += section
    shown++
  }
  const left = review.items.length - shown
  if (left) {
    const range = `${review.base.name}..${review.head.name}`
    text += `… and ${left} more item${left === 1 ? '' : 's'}, left out to keep this short: \`git backlog review ${range.replace(/[`\r\n]/g, '')}\` shows them all.\n`
  }
  return { text: text.trimEnd(), shown }
}

/** The most the line counting left-out items takes. */
const LEFT_OUT_ROOM = 400
