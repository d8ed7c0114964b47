/** Commands about the repository around the backlog: the merge driver git calls, and its installation. */

import { type Command, Option } from 'commander'
import { lintInput, syncInput } from '../core/inputs.js'
import { mergeDriverMain } from '../merge/driver-main.js'
import { readPackageFile } from '../package-files.js'
import { renderLint, renderLintGithub } from '../render/lint.js'
import { withExamples, withNotes } from './help.js'
import { given, parse } from './options.js'
import type { CliContext } from './program.js'

export function registerRepoCommands(program: Command, cli: CliContext): void {
  const driver = program
    .command('merge-driver')
    .summary('merge one task file field by field (git runs it)')
    .description(
      'merge one task file field by field (git runs this: merge.backlog.driver = git backlog merge-driver %O %A %B %L %P)',
    )
    .argument('<base>', '%O: the common ancestor version (empty when both sides added the file)')
    .argument('<ours>', '%A: our version; the result is written here')
    .argument('<theirs>', '%B: their version')
    .argument('[marker-size]', '%L: conflict marker size', '7')
    .argument('[path]', '%P: the path of the file in the repository')
    .action((base: string, ours: string, theirs: string, markerSize: string, path: string | undefined) => {
      // main.ts sends git's calls straight to the driver; this is the same path for `runCli` callers.
      cli.exit(mergeDriverMain([base, ours, theirs, markerSize, ...(path ? [path] : [])], cli.io.cwd, cli.io.err))
    })
  withNotes(
    driver,
    'git runs it for task files once .backlog/.gitattributes names it and .git/config defines it (`git backlog doctor --fix` sets both). Exit 0: merged; 1: conflict markers left in <ours>.',
  )
  withExamples(driver, ['merge-driver base.md ours.md theirs.md 7 .backlog/tasks/2/bl-k3m9x2.md'])

  const resolve = program
    .command('resolve')
    .summary('merge task files left in conflict, field by field')
    .description(
      'merge task files git left in conflict, field by field, from the versions git keeps; stage the clean ones',
    )
    .argument('[paths...]', 'only these task files (default: every task file in conflict)')
    .option('--json', 'print the result as JSON')
    .action(async (paths: string[], options: { json?: boolean }) => {
      const result = await cli.app().resolve(paths.length ? { paths } : {})
      const lines = result.files.map((file) => {
        const settled = file.settled?.length ? ` (settled by rule: ${file.settled.join(', ')})` : ''
        return `${file.outcome === 'merged' ? 'merged' : 'NEEDS YOU'}  ${file.path}${settled}${file.next ? `\n    ${file.next}` : ''}`
      })
      const open = result.files.filter((file) => file.outcome !== 'merged').length
      if (result.files.length === 0) lines.push('No task file is in conflict.')
      else if (open === 0) lines.push('All task files merged and staged; finish with `git commit` (or `--continue`).')
      cli.print(options.json, result, lines.join('\n'))
      if (open > 0) cli.exit(1)
    })
  withExamples(resolve, ['resolve', 'resolve .backlog/tasks/2/bl-k3m9x2.md'])

  const doctor = program
    .command('doctor')
    .summary('check the setup; repair it with --fix')
    .description(
      'check the setup: interrupted writes, leftover temporary files, uncommitted items, merge attributes and driver, files in conflict, unreadable items, upstream',
    )
    .option(
      '--fix',
      'repair what can be repaired: remove leftover temporary files, commit uncommitted items (bringing back deleted ones that exist nowhere else), commit .backlog/.gitattributes, set the driver in .git/config',
    )
    .option('--json', 'print the result as JSON')
    .action(async (options: { fix?: boolean; json?: boolean }) => {
      const agent = cli.agent()
      const result = await cli.app().doctor({ fix: Boolean(options.fix), ...(agent ? { agent } : {}) })
      const lines = result.checks.map(
        (check) => `${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}${check.fixed ? ' (fixed)' : ''}`,
      )
      if (!result.ok && !options.fix) lines.push('Run `git backlog doctor --fix` to repair what can be repaired.')
      cli.print(options.json, result, lines.join('\n'))
      if (!result.ok) cli.exit(1)
    })
  withExamples(doctor, ['doctor', 'doctor --fix'])

  const lint = program
    .command('lint')
    .summary('check the backlog files for CI and pre-commit; writes nothing')
    .description(
      'check every file under .backlog/: fields, readability, conflict markers, links to items that do not exist, cycles, duplicate ids, file names, stray files; exit 1 on any error. Writes nothing, needs no git identity',
    )
    .addOption(
      new Option('--format <format>', 'text (default), github (workflow commands) or json').choices([
        'text',
        'github',
        'json',
      ]),
    )
    .option('--strict', 'warnings fail too')
    .option('--json', 'the same as --format json')
    .action(async (options: { format?: string; strict?: boolean; json?: boolean }) => {
      const result = await cli.app({ readOnly: true }).lint(parse(lintInput, given({ strict: options.strict })))
      const format = options.json ? 'json' : (options.format ?? 'text')
      if (format === 'github') cli.io.out(renderLintGithub(result))
      else cli.print(format === 'json', result, renderLint(result))
      if (!result.ok) cli.exit(1)
    })
  withNotes(
    lint,
    'Rules: config, schema, unreadable, conflict-markers, dangling-parent, dangling-dependency, cycle, duplicate-id, file-name, outside-layout, merge-layout. Exit 0: no errors (warnings allowed, unless --strict); 1: errors, or no backlog here.',
  )
  withExamples(lint, ['lint', 'lint --format github', 'lint --format json'])

  const workflow = program
    .command('workflow')
    .description(
      'print a GitHub Actions workflow that lints the backlog on every pull request and posts the review of its task changes as one comment',
    )
    .action(() => {
      cli.io.out(readPackageFile('templates/github/backlog.yml').trimEnd())
    })
  withNotes(
    workflow,
    'Save it in your repository: git backlog workflow > .github/workflows/backlog.yml. It installs git-backlog from the npm registry; lint annotates the lines it finds wrong, and the review comment is updated on every push.',
  )
  withExamples(workflow, ['workflow > .github/workflows/backlog.yml'])

  const sync = program
    .command('sync')
    .argument('[base]', 'a branch to merge in as well, e.g. origin/main: the base of a pull request in conflict')
    .description('fetch, merge (task files field by field) and push the current branch')
    .option('--json', 'print the result as JSON')
    .action(async (base: string | undefined, options: { json?: boolean }) => {
      const result = await cli.app().sync(parse(syncInput, given({ base })))
      const parts = [
        result.upstream
          ? result.merged
            ? `merged ${result.merged} commit(s) from ${result.upstream}`
            : `nothing new on ${result.upstream}`
          : '',
        result.base
          ? result.base.merged
            ? `merged ${result.base.merged} commit(s) from ${result.base.name}`
            : `${result.base.name} has nothing this branch lacks`
          : '',
        result.upstream
          ? result.pushed
            ? `pushed ${result.pushed} commit(s)`
            : 'nothing to push'
          : 'no upstream to push to',
      ].filter(Boolean)
      cli.print(options.json, result, `${result.branch}: ${parts.join(', ')}.`)
    })
  withNotes(
    sync,
    'With a base: after the upstream, the base is merged too (a remote branch is fetched first), task files field by field, then the branch is pushed. That settles a pull request whose merge button reports a conflict in task files. A merge that needs a person is taken back, and the error says which files.',
  )
  withExamples(sync, ['sync', 'sync origin/main', 'sync --json'])
}
