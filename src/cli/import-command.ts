/** `git backlog import <source> <path>`: a peer's backlog brought over in one commit, with what could not be mapped. */

import type { Command } from 'commander'
import type { ImportResult } from '../app/index.js'
import { plural } from '../app/index.js'
import { GH_COMMAND, IMPORT_SOURCES, importSource } from '../import/index.js'
import { withExamples, withNotes } from './help.js'
import { readImportFiles } from './import-files.js'
import type { CliContext } from './program.js'

/** The import as a person reads it: what was written, what was skipped, then per item what could not be mapped. */
export function renderImport(result: ImportResult): string {
  const lines: string[] = []
  const commit = result.commit ? ` [${result.commit.slice(0, 7)}]` : ''
  if (result.dry_run) {
    lines.push(`Would import ${plural(result.imported, 'item')} from ${result.source}; nothing was written.`)
  } else if (result.imported) {
    lines.push(`Imported ${plural(result.imported, 'item')} from ${result.source}${commit}.`)
  } else {
    lines.push(`Nothing to import from ${result.source}: every item is here already; nothing changed.`)
  }
  if (result.skipped.length) {
    const shown = result.skipped.slice(0, 20).join(', ')
    const more = result.skipped.length > 20 ? ` and ${result.skipped.length - 20} more` : ''
    lines.push(`Skipped ${plural(result.skipped.length, 'item')} this backlog has already: ${shown}${more}.`)
  }
  if (result.reports.length) {
    lines.push('', `Not carried over as it was (${plural(result.reports.length, 'item')}):`)
    for (const report of result.reports) {
      const from = report.source_id === report.id ? '' : ` (was ${report.source_id})`
      lines.push(`  ${report.id}${from}: ${report.title}`)
      for (const problem of report.problems) lines.push(`    - ${problem}`)
    }
  }
  if (result.notes.length) {
    lines.push('', 'For every item:')
    for (const note of result.notes) lines.push(`  - ${note}`)
  }
  return lines.join('\n')
}

export function registerImportCommand(program: Command, cli: CliContext): void {
  const command = program
    .command('import')
    .summary(
      'bring a backlog over from Backlog.md, backlog-mcp, backloghq, beads, GitHub, taskwarrior or another git-backlog',
    )
    .description(
      'bring a backlog over from another tool in one commit, keeping ids, links, notes and dates where it can; says per item what it could not map',
    )
    .argument('<source>', IMPORT_SOURCES.map((source) => source.name).join(', '))
    .argument('<path>', 'its folder or file, or - for standard input')
    .option('--dry-run', 'print what would be imported and what cannot be mapped; write nothing')
    .option(
      '--skip-existing',
      'import only the items whose id the backlog does not have yet (by default such an import is refused)',
    )
    .option('--json', 'print the result as JSON')
    .action(
      async (name: string, path: string, options: { dryRun?: boolean; skipExisting?: boolean; json?: boolean }) => {
        const source = importSource(name)
        const files = await readImportFiles(source, path, cli.io.cwd, cli.stdin)
        const agent = cli.agent()
        const result = await cli.app().importItems({
          source: source.name,
          files,
          ...(options.skipExisting ? { existing: 'skip' as const } : {}),
          ...(options.dryRun ? { dry_run: true } : {}),
          ...(agent ? { agent } : {}),
        })
        cli.print(options.json, result, renderImport(result))
      },
    )
  withNotes(
    command,
    `Sources:\n${IMPORT_SOURCES.map((source) => `  ${source.name.padEnd(12)} ${source.about}`).join('\n')}`,
  )
  withExamples(command, [
    'import backlog.md . --dry-run',
    'import beads .beads/issues.jsonl',
    `${GH_COMMAND} | git backlog import github -`,
    'task export | git backlog import taskwarrior -',
    'import backlog-mcp ~/.backlog --skip-existing',
    'import git-backlog backlog.json',
  ])
}
