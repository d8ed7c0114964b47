/** The commands that change the backlog, each one commit: init, add, log, update, start, done, note, block, edit, rm, archive. */

import type { Command } from 'commander'
import type { ArchiveResult, MutationResult } from '../app/index.js'
import { BacklogError } from '../core/errors.js'
import { idKey } from '../core/ids.js'
import {
  archiveInput,
  createInput,
  deleteInput,
  restoreInput,
  unarchiveInput,
  undoInput,
  updateInput,
  writeResourceInput,
} from '../core/inputs.js'
import { formatTable } from './format.js'
import { withExamples } from './help.js'
import { collect, type FieldOptions, fieldsFrom, given, parse, readFileOrStdin, withFieldOptions } from './options.js'
import type { CliContext } from './program.js'

function commitSuffix(result: MutationResult): string {
  return result.commit ? ` [${result.commit.slice(0, 7)}]` : ''
}

/**
 * One line per changed item, `Verb id: title [commit]`. Items the call did not name (the next occurrence of a
 * recurring item that was just closed) get their own line.
 */
function reportMutation(
  cli: CliContext,
  verb: string,
  json: boolean | undefined,
  result: MutationResult,
  requested?: readonly string[],
): void {
  const named = requested ? new Set(requested.map(idKey)) : undefined
  const commit = commitSuffix(result)
  const text = !result.changed
    ? result.items.length
      ? `No change: ${result.items.map((row) => row.id).join(', ')} is already as asked.`
      : 'No item matched; nothing changed.'
    : result.items
        .map((row) =>
          named && !named.has(idKey(row.id))
            ? `Next occurrence: ${row.id}: ${row.title}${row.due ? ` (due ${row.due.slice(0, 10)})` : ''}`
            : `${verb} ${row.id}: ${row.title}${commit}`,
        )
        .join('\n')
  cli.print(json, result, text)
}

/** `-` as a text value reads standard input: for bodies and notes written in an editor or piped in. */
async function textOrStdin(cli: CliContext, value: string | undefined, flag: string): Promise<string | undefined> {
  return value === '-' ? cli.stdin(flag) : value
}

/** A --json-items document: a JSON array of items, or an object holding one as `items`. */
function batchFrom(text: string, source: string): unknown[] {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new BacklogError('INVALID_INPUT', `--json-items ${source}: not valid JSON (${(error as Error).message})`)
  }
  const items = Array.isArray(data) ? data : (data as { items?: unknown } | null)?.items
  if (!Array.isArray(items)) {
    throw new BacklogError(
      'INVALID_INPUT',
      `--json-items ${source}: give a JSON array of items, e.g. [{"title": "Epic", "type": "epic"}, {"title": "API", "parent": "#1"}]`,
    )
  }
  return items
}

export function registerWriteCommands(program: Command, cli: CliContext): void {
  const init = program
    .command('init')
    .description('create .backlog/config.yml in this repository and commit it')
    .option('--prefix <prefix>', 'id prefix of new items (default: bl)')
    .option(
      '--agents',
      "also write the backlog's section of AGENTS.md (and of CLAUDE.md, if there is one) telling agents how to use it",
    )
    .option('--json', 'print the result as JSON')
    .action(async (options: { prefix?: string; agents?: boolean; json?: boolean }) => {
      const app = cli.app()
      const result = await app.init({ ...given({ prefix: options.prefix }), ...given({ agent: cli.agent() }) })
      const lines = [
        result.created
          ? `Created ${result.path}${result.commit ? ` [${result.commit.slice(0, 7)}]` : ''}. Add items with \`git backlog add "Title"\`.`
          : `Already initialized: ${result.path} exists.`,
      ]
      if (!options.agents) return cli.print(options.json, result, lines[0] as string)
      const agents = await app.initAgents(given({ agent: cli.agent() }))
      if (agents.committed.length) {
        lines.push(`Wrote the backlog section of ${agents.committed.join(' and ')} [${agents.commit?.slice(0, 7)}].`)
      }
      if (agents.uncommitted.length) {
        lines.push(
          `Wrote the backlog section of ${agents.uncommitted.join(' and ')}, not committed: ${agents.uncommitted.length === 1 ? 'it holds' : 'they hold'} your own uncommitted changes; commit them with yours.`,
        )
      }
      for (const { path, target } of agents.linked) {
        lines.push(`${path} is a link to ${target}: one file, given the section once.`)
      }
      for (const { reason } of agents.skipped) lines.push(`${reason}.`)
      if (agents.unchanged.length) {
        const files = agents.unchanged.join(' and ')
        lines.push(`${files} already ${agents.unchanged.length === 1 ? 'has' : 'have'} the backlog section.`)
      }
      if (agents.unchanged_uncommitted.length) {
        lines.push(
          `${agents.unchanged_uncommitted.join(' and ')} ${agents.unchanged_uncommitted.length === 1 ? 'is' : 'are'} not committed yet: commit ${agents.unchanged_uncommitted.length === 1 ? 'it' : 'them'} with your changes.`,
        )
      }
      cli.print(options.json, { ...result, agents }, lines.join('\n'))
    })
  withExamples(init, ['init', 'init --prefix web', 'init --agents'])

  const add = withFieldOptions(
    program
      .command('add')
      .summary('create an item, a copy (--from) or a batch (--json-items)')
      .description('create an item, a copy of one (--from), or a batch in one commit (--json-items)')
      .argument('[title...]', 'the title (quotes optional)'),
  )
    .option('--from <id>', 'copy this item (fields, body, tags; not notes, stamps or status); flags given override')
    .option(
      '--json-items <file>',
      'a JSON array of items from a file, or - for standard input; "#1", "#2"... in parent, epic or depends_on name items of the batch; flags given apply to items that do not set them',
    )
    .option('--json', 'print the result as JSON')
    .action(async (words: string[], options: FieldOptions & { from?: string; jsonItems?: string }) => {
      const title = words.join(' ').trim() || undefined
      if (title === undefined && options.from === undefined && options.jsonItems === undefined) {
        throw new BacklogError(
          'INVALID_INPUT',
          "missing required argument 'title' (or --from <id> to copy an item, or --json-items <file> for a batch)",
        )
      }
      const items =
        options.jsonItems === undefined
          ? undefined
          : batchFrom(await readFileOrStdin(options.jsonItems, '--json-items', cli.stdin), options.jsonItems)
      const input = parse(createInput, {
        ...given({ title, duplicate_of: options.from, items }),
        ...(await fieldsFrom(options, cli.stdin)),
        ...given({ agent: cli.agent() }),
      })
      reportMutation(cli, 'Added', options.json, await cli.app().create(input))
    })
  withExamples(add, [
    'add Fix the login flow -p high --tag auth --due friday',
    'add Water the plants --recur weekly --until 2026-12-31',
    'add --from bl-k3m9x2 Same for the admin page',
    `echo '[{"title": "Auth epic", "type": "epic"}, {"title": "API", "parent": "#1"}, {"title": "UI", "parent": "#1", "depends_on": ["#2"]}]' | git backlog add --json-items -`,
  ])

  // `log` is kept free for the history of the backlog, as in git.
  const did = withFieldOptions(
    program
      .command('did')
      .description('record work already finished: add an item with status done')
      .argument('<title...>', 'what was done'),
  )
    .option('--json', 'print the result as JSON')
    .action(async (words: string[], options: FieldOptions) => {
      const input = parse(createInput, {
        title: words.join(' '),
        ...(await fieldsFrom(options, cli.stdin)),
        status: options.status ?? 'done',
        ...given({ agent: cli.agent() }),
      })
      reportMutation(cli, 'Logged', options.json, await cli.app().create(input))
    })
  withExamples(did, ['did Rotated the API keys --tag ops --evidence "vault entry updated"'])

  const update = withFieldOptions(
    program
      .command('update')
      .alias('set')
      .summary('change fields of items, named by id or by a filter')
      .description('change fields of one item, several, or every item a filter matches (one commit)')
      .argument('[id...]', 'the items'),
  )
    .option('--filter <expr>', 'change every item this filter matches instead, e.g. "+cleanup status:open"')
    .option('--all', 'let an empty --filter (or none) change every active item')
    .option('--title <title>', 'new title')
    .option('--add-tag <tag>', 'add a tag (repeat for more)', collect)
    .option('--remove-tag <tag>', 'remove a tag (repeat for more)', collect)
    .option('--add-dep <id>', 'add a dependency (repeat for more)', collect)
    .option('--remove-dep <id>', 'remove a dependency (repeat for more)', collect)
    .option('--add-evidence <text>', 'add evidence of completion (repeat for more)', collect)
    .option('--remove-evidence <text>', 'remove evidence by its exact text (repeat for more)', collect)
    .option('--add-blocked-reason <text>', 'add a reason it is blocked (repeat for more)', collect)
    .option('--remove-blocked-reason <text>', 'remove a blocked reason by its exact text (repeat for more)', collect)
    .option('--add-ref <url>', 'add a reference link (repeat for more)', collect)
    .option('--remove-ref <url>', 'remove a reference link (repeat for more)', collect)
    .option('-m, --note <text>', 'append a timestamped note (- reads standard input)')
    .option('--remove-note <text>', 'remove the notes whose text, or timestamp, is exactly this')
    .option('--json', 'print the result as JSON')
    .action(async (ids: string[], options: FieldOptions & Record<string, unknown>) => {
      const filter = options.filter as string | undefined
      if (filter !== undefined && filter.trim() === '' && !options.all) {
        throw new BacklogError(
          'INVALID_INPUT',
          '--filter is empty, which would change every active item; add --all if that is what you want',
        )
      }
      if (ids.length === 0 && filter === undefined && !options.all) {
        throw new BacklogError(
          'INVALID_INPUT',
          'give one or more ids, or --filter <expr> to change every item it matches',
        )
      }
      const input = parse(updateInput, {
        ...given({ id: ids.length ? ids : undefined, filter, all: options.all }),
        ...(await fieldsFrom(options, cli.stdin)),
        ...given({
          title: options.title,
          add_tags: options.addTag,
          remove_tags: options.removeTag,
          add_depends_on: options.addDep,
          remove_depends_on: options.removeDep,
          add_evidence: options.addEvidence,
          add_blocked_reason: options.addBlockedReason,
          remove_evidence: options.removeEvidence,
          remove_blocked_reason: options.removeBlockedReason,
          add_references: options.addRef,
          remove_references: options.removeRef,
          note: await textOrStdin(cli, options.note as string | undefined, '--note'),
          remove_note: options.removeNote,
          agent: cli.agent(),
        }),
      })
      reportMutation(cli, 'Updated', options.json, await cli.app().update(input), ids.length ? ids : undefined)
    })
  withExamples(update, [
    'update bl-k3m9x2 -p high --add-tag auth -m "Seen on Safari only"',
    'update bl-k3m9x2 bl-p4q7w1 -a ann',
    "update --filter '+cleanup status:open' --status cancelled",
    'set bl-k3m9x2 --add-dep bl-p4q7w1 --due "in 3 days"',
  ])

  for (const [verb, status, summary, description, past, examples] of [
    [
      'start',
      'in_progress',
      'mark items in progress',
      'mark items in progress (stamps started)',
      'Started',
      ['start bl-k3m9x2', 'start bl-k3m9x2 bl-p4q7w1 -m "Pairing with Ann"'],
    ],
    [
      'done',
      'done',
      'mark items done',
      'mark items done (stamps closed); a recurring item gets its next occurrence',
      'Done',
      ['done bl-k3m9x2', 'done bl-k3m9x2 --evidence "PR #42 merged" -m "Deployed on Monday"'],
    ],
  ] as const) {
    const command = program
      .command(verb)
      .summary(summary)
      .description(description)
      .argument('<id...>', 'the items')
      .option('-m, --note <text>', 'append a timestamped note')
      .option('--evidence <text>', 'add evidence of completion (repeat for more)', collect)
      .option('--json', 'print the result as JSON')
      .action(async (ids: string[], options: { note?: string; evidence?: string[]; json?: boolean }) => {
        const input = parse(updateInput, {
          id: ids,
          status,
          ...given({ note: options.note, add_evidence: options.evidence, agent: cli.agent() }),
        })
        reportMutation(cli, past, options.json, await cli.app().update(input), ids)
      })
    withExamples(command, [...examples])
  }

  const claim = program
    .command('claim')
    .summary('take an item: assign it to you and start it')
    .description(
      'take an item: assign it to you and start it, only if no one else has it and nothing it waits on is open (else an error naming who or what)',
    )
    .argument('<id>', 'the item')
    .option('-a, --assignee <name>', 'claim it for this name (default: BACKLOG_AGENT, else your git name)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: { assignee?: string; json?: boolean }) => {
      const input = parse(updateInput, {
        id,
        claim: true,
        ...given({ assignee: options.assignee, agent: cli.agent() }),
      })
      reportMutation(cli, 'Claimed', options.json, await cli.app().update(input), [id])
    })
  withExamples(claim, ['claim bl-k3m9x2', 'claim bl-k3m9x2 -a ann'])

  const note = program
    .command('note')
    .summary('append a timestamped note to an item')
    .description('append a timestamped note to an item (remove one with `update --remove-note`)')
    .argument('<id>', 'the item')
    .argument('<text...>', 'the note (- reads standard input)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, words: string[], options: { json?: boolean }) => {
      const text = words.length === 1 && words[0] === '-' ? await cli.stdin('note') : words.join(' ')
      const input = parse(updateInput, { id, note: text, ...given({ agent: cli.agent() }) })
      reportMutation(cli, 'Noted', options.json, await cli.app().update(input), [id])
    })
  withExamples(note, ['note bl-k3m9x2 The cookie expires after 5 minutes', 'note bl-k3m9x2 - < findings.md'])

  const block = program
    .command('block')
    .description('mark an item blocked, with the reason')
    .argument('<id>', 'the item')
    .argument('<reason...>', 'why it cannot go on')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, words: string[], options: { json?: boolean }) => {
      const input = parse(updateInput, {
        id,
        status: 'blocked',
        add_blocked_reason: [words.join(' ')],
        ...given({ agent: cli.agent() }),
      })
      reportMutation(cli, 'Blocked', options.json, await cli.app().update(input), [id])
    })
  withExamples(block, ['block bl-k3m9x2 Waiting for the API keys from ops'])

  const edit = program
    .command('edit')
    .summary("edit part of an item's description")
    .description(
      "edit part of an item's description: replace exact text, insert after a line, or append (- reads a text from standard input)",
    )
    .argument('<id>', 'the item')
    .option('--replace <old>', 'text to replace: must occur exactly once in the description (with --with)')
    .option('--with <new>', 'the replacement text')
    .option('--insert-after <line>', 'insert after this line number, 0 for the top (with --text)')
    .option('--text <text>', 'the text to insert')
    .option('--append <text>', 'add this text at the end')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: Record<string, string | boolean | undefined>) => {
      const text = async (flag: string) =>
        (await textOrStdin(cli, options[flag] as string | undefined, `--${flag}`)) ?? ''
      const chosen = ['replace', 'insertAfter', 'append'].filter((key) => options[key] !== undefined)
      if (chosen.length !== 1) {
        throw new BacklogError(
          'INVALID_INPUT',
          `give one edit: --replace <old> --with <new>, --insert-after <line> --text <text>, or --append <text>${chosen.length ? ' (not several)' : ''}`,
        )
      }
      let operation: Record<string, unknown>
      if (options.replace !== undefined) {
        if (options.with === undefined)
          throw new BacklogError('INVALID_INPUT', '--replace needs --with <new> (may be "")')
        operation = { type: 'str_replace', old_str: await text('replace'), new_str: await text('with') }
      } else if (options.insertAfter !== undefined) {
        if (options.text === undefined) throw new BacklogError('INVALID_INPUT', '--insert-after needs --text <text>')
        operation = { type: 'insert', insert_line: options.insertAfter, new_str: await text('text') }
      } else {
        operation = { type: 'append', new_str: await text('append') }
      }
      const input = parse(writeResourceInput, { id, operation, ...given({ agent: cli.agent() }) })
      reportMutation(cli, 'Edited', options.json as boolean | undefined, await cli.app().writeBody(input))
    })
  withExamples(edit, [
    'edit bl-k3m9x2 --replace "- [ ] tests" --with "- [x] tests"',
    'edit bl-k3m9x2 --insert-after 0 --text "## Goal"',
    'edit bl-k3m9x2 --append - < more-notes.md',
  ])

  const rm = program
    .command('rm')
    .summary('delete items (restorable from git history)')
    .description('delete items (in one commit; restorable from git history)')
    .argument('<id...>', 'one or more ids')
    .option('--json', 'print the result as JSON')
    .action(async (ids: string[], options: { json?: boolean }) => {
      const result = await cli.app().remove(parse(deleteInput, { id: ids, ...given({ agent: cli.agent() }) }))
      const commit = commitSuffix(result)
      cli.print(options.json, result, result.items.map((row) => `Deleted ${row.id}: ${row.title}${commit}`).join('\n'))
    })
  withExamples(rm, ['rm bl-k3m9x2', 'rm bl-k3m9x2 bl-p4q7w1'])

  const archive = program
    .command('archive')
    .summary('move finished items into .backlog/archive/')
    .description(
      'move finished items into .backlog/archive/ (one commit): the named closed items, or every item closed at least --older-than days ago',
    )
    .argument('[id...]', 'closed items to archive (default: by age)')
    .option('--older-than <days>', 'closed at least this many days ago (default 30)')
    .option('--dry-run', 'only list what would be archived')
    .option('--json', 'print the result as JSON')
    .action(async (ids: string[], options: { olderThan?: string; dryRun?: boolean; json?: boolean }) => {
      if (ids.length && options.olderThan !== undefined) {
        throw new BacklogError('INVALID_INPUT', 'give ids or --older-than, not both')
      }
      const input = parse(archiveInput, {
        ...given({
          id: ids.length ? ids : undefined,
          older_than_days: options.olderThan,
          dry_run: options.dryRun,
          agent: cli.agent(),
        }),
      })
      const result: ArchiveResult = await cli.app().archive(input)
      const commit = commitSuffix(result)
      const recent = result.too_recent
        ? `${result.too_recent} closed item${result.too_recent === 1 ? ' is' : 's are'} newer than ${input.older_than_days ?? 30} days (--older-than 0 takes them too).`
        : ''
      const nothing = `Nothing to archive.${recent ? ` ${recent}` : ''}`
      const text = result.dry_run
        ? result.items.length
          ? `Would archive ${result.items.length}:\n${formatTable(
              result.items.map(({ archived: _archived, ...row }) => row),
              undefined,
              cli.style,
            )}${recent ? `\n${recent}` : ''}`
          : nothing
        : result.changed
          ? result.items.map((row) => `Archived ${row.id}: ${row.title}${commit}`).join('\n')
          : nothing
      cli.print(options.json, result, text)
    })
  withExamples(archive, ['archive --dry-run', 'archive --older-than 7', 'archive bl-k3m9x2'])

  const unarchive = program
    .command('unarchive')
    .summary('bring archived items back')
    .description('bring archived items back into the working set, unchanged (one commit)')
    .argument('<id...>', 'archived items')
    .option('--json', 'print the result as JSON')
    .action(async (ids: string[], options: { json?: boolean }) => {
      const result = await cli.app().unarchive(parse(unarchiveInput, { id: ids, ...given({ agent: cli.agent() }) }))
      const commit = commitSuffix(result)
      cli.print(
        options.json,
        result,
        result.changed
          ? result.items.map((row) => `Unarchived ${row.id}: ${row.title}${commit}`).join('\n')
          : `Nothing to unarchive: ${ids.join(', ')} ${ids.length === 1 ? 'is' : 'are'} not archived.`,
      )
    })
  withExamples(unarchive, ['unarchive bl-k3m9x2'])

  for (const [verb, redo, examples] of [
    ['undo', false, ['undo', 'undo --id bl-k3m9x2', 'undo --commit 3f2a9c1']],
    ['redo', true, ['redo']],
  ] as const) {
    const command = program
      .command(verb)
      .summary(redo ? 'take back your latest undo' : 'take back your latest change')
      .description(
        redo
          ? 'take back your latest undo (one commit)'
          : 'take back your latest backlog change that is not undone yet; again to go further back (one commit)',
      )
      .option('--id <id>', 'the latest change to this item, whoever made it')
      .option('--commit <commit>', 'exactly this backlog commit')
      .option('--json', 'print the result as JSON')
      .action(async (options: { id?: string; commit?: string; json?: boolean }) => {
        const input = parse(undoInput, {
          ...given({ id: options.id, commit: options.commit, agent: cli.agent() }),
          ...(redo ? { redo: true } : {}),
        })
        const result = await cli.app().undo(input)
        const what = `${result.reverted.commit.slice(0, 7)} ${result.reverted.subject}`
        cli.print(
          options.json,
          result,
          result.changed ? `${redo ? 'Redid' : 'Undid'} ${what}${commitSuffix(result)}` : `Nothing changed: ${what}`,
        )
      })
    withExamples(command, [...examples])
  }

  const restore = program
    .command('restore')
    .summary('bring back a deleted item')
    .description('bring back a deleted item from git history, as it last was (one commit)')
    .argument('<id>', 'the deleted item')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      reportMutation(
        cli,
        'Restored',
        options.json,
        await cli.app().restore(parse(restoreInput, { id, ...given({ agent: cli.agent() }) })),
      )
    })
  withExamples(restore, ['restore bl-k3m9x2'])
}
