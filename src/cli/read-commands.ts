/** The commands that only read: list, show, search, context, board, tags, values. */

import type { Command } from 'commander'
import { BacklogError, phrase, slot } from '../core/errors.js'
import { contextInput, getInput, historyInput, listInput, reviewInput, searchInput } from '../core/inputs.js'
import { renderHistory } from '../render/history.js'
import { COMMENT_CHARS, renderReview, renderReviewMarkdown } from '../render/review.js'
import { layoutBoard } from './board.js'
import {
  formatContext,
  formatCounts,
  formatDetail,
  formatList,
  formatProblems,
  formatSearch,
  sortedTally,
} from './format.js'
import { withExamples, withNotes } from './help.js'
import { collect, given, parse } from './options.js'
import type { CliContext } from './program.js'
import { errorLine } from './words.js'

/** Commands whose arguments are filter words, so `-BLOCKED` among them is a word, not an option. */
export const FILTER_COMMANDS = ['list', 'board', 'export']

export const FILTER_HELP = `Filter words (joined by spaces; quote a value with spaces):
  status:open  priority.above:low  due.before:friday  assignee:"Ann Lee"  project:web
  +bug / -bug (tagged / not tagged)   bare words search the text
  virtual tags: +READY +BLOCKED +BLOCKING +ACTIVE +OVERDUE +WAITING +DUE +TODAY +TAGGED +ANNOTATED
  and, or, not, ( ): '(+ACTIVE or +OVERDUE) -BLOCKED'
  Words starting with - (like -BLOCKED) are filter words; give option values apart (-n 5, not -n5).`

function whole(value: string, flag: string, min: number, max: number): number {
  const number = Number(value)
  if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
    throw new BacklogError('INVALID_INPUT', `${flag} must be a whole number from ${min} to ${max}, not "${value}"`)
  }
  return number
}

/** What `review --format` prints (`text` is read as terminal, in any case). */
export const REVIEW_FORMATS = ['terminal', 'markdown', 'json'] as const

/**
 * The selection flags of `list`, which `export` takes too: the filter words, statuses, types, parent, epic, tags,
 * assignee, sort and archived items.
 */
export function withSelection(command: Command): Command {
  return command
    .argument('[filter...]', 'a filter expression (see below)')
    .option('-s, --status <status>', 'only this status (repeat for more)', collect)
    .option('--all', 'every status, done and cancelled included')
    .option('-t, --type <type>', 'only this type (repeat for more)', collect)
    .option('--parent <id>', 'only children of this item')
    .option('--epic <id>', 'only items of this epic')
    .option('--tag <tag>', 'only items with this tag (repeat: all must match)', collect)
    .option('-a, --assignee <who>', 'only items assigned to this agent or person')
    .option('--sort <order>', 'urgency (default), priority, due, created, updated (last changed first), id or title')
    .option('--archived', 'include archived items')
}

/** What the selection flags and filter words give, as input to the list and export schemas. */
export function selectionFrom(words: string[], options: Record<string, unknown>): Record<string, unknown> {
  const filter = words.join(' ').trim()
  return given({
    filter: filter || undefined,
    status: options.all ? ['all'] : options.status,
    type: options.type,
    parent: options.parent,
    epic: options.epic,
    tags: options.tag,
    assignee: options.assignee,
    sort: options.sort,
    archived: options.archived,
  })
}

export function registerReadCommands(program: Command, cli: CliContext): void {
  const list = program
    .command('list')
    .alias('ls')
    .summary('list items, most urgent first')
    .description('list items, most urgent first; by default the active ones (not done or cancelled, not waiting)')
  withSelection(list)
    .option('-n, --limit <n>', 'at most this many rows (default 50)')
    .option('--counts', 'also count the matches by status, type, priority, assignee and tag')
    .option('--count-by <field>', 'also count the matches by this field or attribute (repeat for more)', collect)
    .option('--json', 'print the result as JSON')
    .action(async (words: string[], options: Record<string, unknown>) => {
      const input = parse(
        listInput,
        given({
          ...selectionFrom(words, options),
          limit: options.limit,
          counts: options.counts,
          count_by: options.countBy,
        }),
      )
      const result = await cli.app().list(input)
      cli.print(options.json as boolean, result, formatList(result, undefined, cli.style))
      if (!options.json && result.problems?.length) cli.io.err(formatProblems(result.problems))
    })
  withNotes(list, FILTER_HELP)
  withExamples(list, [
    'ls +READY priority:high',
    `ls 'assignee:"Ann Lee"' due.before:friday`,
    'ls -BLOCKED +bug --sort due',
    'ls --all --counts --count-by estimate',
  ])

  const show = program
    .command('show')
    .description('show items in full (archived ones too)')
    .argument('<id...>', 'one or more ids')
    .option('--json', 'print the items as JSON')
    .action(async (ids: string[], options: { json?: boolean }) => {
      const result = await cli.app().get(parse(getInput, { id: ids }))
      cli.print(options.json, result, result.items.map((item) => formatDetail(item, cli.style)).join('\n\n'))
      // What was found is shown; the ids that name nothing are an error, as `cat` says of a missing file.
      if (result.missing?.length && !options.json) {
        cli.io.err(
          errorLine(
            new BacklogError('NOT_FOUND', phrase`no item ${result.missing.join(', ')}. ${slot('list')}`),
            false,
          ),
        )
      }
      if (result.missing?.length) cli.exit(1)
    })
  withExamples(show, ['show bl-k3m9x2', 'show bl-k3m9x2 bl-p4q7w1 --json'])

  const search = program
    .command('search')
    .summary('full-text search, every status')
    .description(
      'full-text search over titles, descriptions, notes, evidence, tags and references, every status; typos and word forms forgiven',
    )
    .argument('<words...>', 'what to look for (an id finds that item first)')
    .option('-s, --status <status>', 'only this status (repeat for more)', collect)
    .option('-t, --type <type>', 'only this type (repeat for more)', collect)
    .option('--tag <tag>', 'only items with this tag (repeat: all must match)', collect)
    .option('--parent <id>', 'only children of this item')
    .option('--filter <expr>', 'only items this filter matches, e.g. "+bug -BLOCKED"')
    .option('--archived', 'include archived items')
    .option('--recent', 'newest activity first instead of best match first')
    .option('-n, --limit <n>', 'at most this many results (default 20)')
    .option('--json', 'print the result as JSON')
    .action(async (words: string[], options: Record<string, unknown>) => {
      const input = parse(
        searchInput,
        given({
          query: words.join(' '),
          status: options.status,
          type: options.type,
          tags: options.tag,
          parent: options.parent,
          filter: options.filter,
          archived: options.archived,
          sort: options.recent ? 'recent' : undefined,
          limit: options.limit,
        }),
      )
      const result = await cli.app().search(input)
      cli.print(options.json as boolean, result, formatSearch(result, undefined, cli.style))
    })
  withExamples(search, ['search login cookie', 'search "rate limit" --status open --tag api', 'search deploy --recent'])

  const context = program
    .command('context')
    .summary('everything around an item, to start work on it')
    .description(
      'everything around an item, to start work on it: parents, children, siblings, dependencies both ways, references, mentions, related items, recent commits',
    )
    .argument('[id]', 'the item')
    .option('-q, --query <words...>', 'or: words; the best search match is used')
    .option('--max-tokens <n>', 'size budget in tokens, 500-32000 (default 4000)')
    .option('--depth <n>', 'levels of children, 1-3 (default 1)')
    .option('--no-related', 'leave out items related by text')
    .option('--no-activity', 'leave out recent commits')
    .option('--json', 'print the bundle as JSON')
    .action(async (id: string | undefined, options: Record<string, unknown>) => {
      const query = (options.query as string[] | undefined)?.join(' ')
      const input = parse(
        contextInput,
        given({
          id,
          query,
          max_tokens: options.maxTokens,
          depth: options.depth,
          include_related: options.related === false ? false : undefined,
          include_activity: options.activity === false ? false : undefined,
        }),
      )
      const bundle = await cli.app().context(input)
      cli.print(options.json as boolean, bundle, formatContext(bundle))
    })
  withExamples(context, ['context bl-k3m9x2', 'context --query login cookie --depth 2 --no-activity'])

  const board = program
    .command('board')
    .summary('a kanban board of the items, a column per status')
    .description(
      'a kanban board: a column per status, cards "id title" most urgent first; done shows the 10 most recently closed',
    )
    .argument('[filter...]', 'only cards this filter matches (see list -h)')
    .option('--all', 'every status (cancelled too) and every closed card')
    .option('--width <n>', 'width in characters (default: the terminal, or 100)')
    .option('-n, --limit <n>', 'at most this many cards per column')
    .option('--json', 'print the columns as JSON')
    .action(async (words: string[], options: { all?: boolean; width?: string; limit?: string; json?: boolean }) => {
      const width = options.width === undefined ? cli.width() : whole(options.width, '--width', 20, 1000)
      const limit = options.limit === undefined ? undefined : whole(options.limit, '--limit', 1, 100_000)
      const filter = words.join(' ').trim()
      const result = await cli.app().board({
        ...(filter ? { filter } : {}),
        ...(options.all ? { all: true } : {}),
        ...(limit === undefined ? {} : { limit }),
      })
      cli.print(options.json, result, layoutBoard(result, width, cli.style))
    })
  withExamples(board, ['board', 'board +auth -n 5', 'board --all --width 160'])

  const tags = program
    .command('tags')
    .summary('tags in use, with counts')
    .description('tags in use, with how many items (of every status) carry each')
    .option('--archived', 'count archived items too')
    .option('--json', 'print the counts as JSON')
    .action(async (options: { archived?: boolean; json?: boolean }) => {
      const result = await cli
        .app()
        .list(parse(listInput, given({ status: ['all'], counts: true, limit: 1, archived: options.archived })))
      const counts = result.counts?.by_tag ?? {}
      cli.print(
        options.json,
        { tags: sortedTally(counts).map(([tag, count]) => ({ tag, count })) },
        Object.keys(counts).length ? formatCounts(counts, 'TAG') : 'No tags in use.',
      )
    })
  withExamples(tags, ['tags', 'tags --archived --json'])

  const values = program
    .command('values')
    .summary('values of a field or attribute in use, with counts')
    .description('values of a field or user attribute in use, with how many items (of every status) have each')
    .argument('<field>', 'a field (status, priority, assignee, type, tags...) or a user attribute')
    .option('--archived', 'count archived items too')
    .option('--json', 'print the counts as JSON')
    .action(async (field: string, options: { archived?: boolean; json?: boolean }) => {
      const name = field.trim() === 'tag' ? 'tags' : field.trim()
      const result = await cli
        .app()
        .list(parse(listInput, given({ status: ['all'], count_by: [name], limit: 1, archived: options.archived })))
      const counts = result.counts?.by_field?.[name] ?? {}
      cli.print(
        options.json,
        { field: name, values: sortedTally(counts).map(([value, count]) => ({ value, count })) },
        Object.keys(counts).length ? formatCounts(counts, name.toUpperCase()) : `No items, so no values of ${name}.`,
      )
    })
  withExamples(values, ['values assignee', 'values estimate'])

  const log = program
    .command('log')
    .summary('the history of the backlog, or of one item')
    .description('the history of the backlog, or of one item: who changed which fields, old → new, and when')
    .argument('[id]', 'one item (deleted ones too)')
    .option('--agent <name>', 'only changes made by this agent')
    .option('-n, --limit <n>', 'commits per page (default 20)')
    .option('--after <commit>', 'continue after this commit (printed at the end of a page)')
    .option('--json', 'print the history as JSON')
    .action(
      async (id: string | undefined, options: { agent?: string; limit?: string; after?: string; json?: boolean }) => {
        const input = parse(
          historyInput,
          given({ id, agent: options.agent, limit: options.limit, after: options.after }),
        )
        const result = await cli.app().history(input)
        cli.print(options.json, result, renderHistory(result, '`git backlog log <id>`'))
      },
    )
  withExamples(log, ['log', 'log bl-k3m9x2', 'log --agent claude -n 5'])

  const review = program
    .command('review')
    .summary('what a branch did to the backlog, for its pull request')
    .description(
      "what happened to the backlog between two revisions, item by item, for a pull request's review: created, closed, reopened, moved, reassigned, deleted, archived, notes and description edits, and who made each change",
    )
    .argument(
      '[range]',
      '<base>..<head> (or ...: both compare from their merge base, as a pull request does); one <base>: to HEAD plus uncommitted edits',
    )
    .option('--format <format>', 'terminal (default; or text), markdown (to paste into a pull request) or json')
    .option('--json', 'print the review as JSON (the same as --format json)')
    .option(
      '--max-chars <n>',
      `markdown: the most characters to print, items past it counted in a last line (default ${COMMENT_CHARS}, under the 65,536 of a GitHub comment; 0 for no limit)`,
    )
    .action(async (range: string | undefined, options: { format?: string; json?: boolean; maxChars?: string }) => {
      // `text` as lint calls its own terminal rendering.
      const asked = options.json ? 'json' : (options.format ?? 'terminal').trim().toLowerCase()
      const format = asked === 'text' ? 'terminal' : asked
      if (!(REVIEW_FORMATS as readonly string[]).includes(format)) {
        throw new BacklogError('INVALID_INPUT', `--format must be terminal, markdown or json, not "${options.format}"`)
      }
      const maxChars = options.maxChars === undefined ? COMMENT_CHARS : Number(options.maxChars)
      if (!Number.isInteger(maxChars) || maxChars < 0) {
        throw new BacklogError('INVALID_INPUT', `--max-chars must be a whole number, not "${options.maxChars}"`)
      }
      const result = await cli.app().review(parse(reviewInput, given({ range })))
      const markdown = () => renderReviewMarkdown(result, maxChars ? { maxChars } : {})
      cli.print(format === 'json', result, format === 'markdown' ? markdown() : renderReview(result))
    })
  withNotes(
    review,
    `Without a range: on a branch, from its merge base with the branch its pull request goes into (origin/HEAD, else
origin/main, origin/master, main or master); on that branch itself, from its upstream; to HEAD plus the uncommitted
changes under .backlog/. With <base>..<head> or <base>...<head>: the tree of
merge-base(base, head) against head's tree, as a pull request's diff (three dots), without the working tree.
Items are ordered: created, closed and deleted first, then reopened, archived, status moves and other edits; then
by priority (urgent first), then id. In a shallow clone without the history between base and head, the two trees
are compared: the changes are known, who made each is not (the output says so).`,
  )
  withExamples(review, [
    'review',
    'review main..HEAD',
    'review origin/main...HEAD --format markdown',
    'review main --json',
  ])
}
