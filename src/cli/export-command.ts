/** `git backlog export`: the items a selection matches, as JSON, CSV or a markdown report, on stdout or in a file. */

import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { type Command, Option } from 'commander'
import { BacklogError } from '../core/errors.js'
import { exportInput } from '../core/inputs.js'
import { EXPORT_FORMATS, type ExportFormat, renderExport } from '../render/export.js'
import { formatProblems } from './format.js'
import { withExamples, withNotes } from './help.js'
import { parse } from './options.js'
import type { CliContext } from './program.js'
import { FILTER_HELP, selectionFrom, withSelection } from './read-commands.js'

export function registerExportCommand(program: Command, cli: CliContext): void {
  const command = program
    .command('export')
    .summary('the items as JSON, CSV or a markdown report')
    .description(
      'the items a filter selects, as JSON (every field, to read back), CSV (a row per item, for a spreadsheet) or a markdown report (grouped by status); by default the active ones, as list shows them; writes nothing to the backlog',
    )
  withSelection(command)
    .addOption(new Option('-f, --format <format>', 'json (default), csv or markdown').choices(EXPORT_FORMATS))
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .option('--bom', 'csv: begin with a UTF-8 byte order mark, so Excel reads accents and emoji right')
    .action(async (words: string[], options: Record<string, unknown>) => {
      const format = (options.format as ExportFormat | undefined) ?? 'json'
      if (options.bom && format !== 'csv') throw new BacklogError('INVALID_INPUT', '--bom is for --format csv')
      const result = await cli.app({ readOnly: true }).export(parse(exportInput, selectionFrom(words, options)))
      const text = renderExport(result, format, { bom: Boolean(options.bom) })
      const output = options.output as string | undefined
      if (output !== undefined && output !== '-') {
        try {
          writeFileSync(resolve(cli.io.cwd, output), text)
        } catch (error) {
          const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
          throw new BacklogError('INVALID_INPUT', `--output ${output}: cannot write it (${reason})`)
        }
      } else {
        // The rendering ends with its own line break, which printing adds.
        cli.io.out(text.slice(0, -1))
      }
      if (result.problems?.length) cli.io.err(formatProblems(result.problems))
    })
  withNotes(
    command,
    `JSON: {"items": [...]}, each item with every field it holds, in the order of its file, then path, archived and
updated; an item read back writes the same file. CSV (RFC 4180): a header row, then a row per item; tags and
depends_on joined by ", ", other lists a line per entry; notes counted, the latest in last_note; your own fields as
columns after path; text that a spreadsheet would run as a formula (starting with = + - @) gets a ' in front.
Markdown: a section per status in workflow order, a table of id, title, priority, assignee, tags, due and parent.

${FILTER_HELP}`,
  )
  withExamples(command, [
    'export --all --archived > backlog.json',
    'export --format csv --bom -o backlog.csv',
    'export --format markdown +auth',
  ])
}
