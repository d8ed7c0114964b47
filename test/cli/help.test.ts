import { tmpdir } from 'node:os'
import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { COMMAND_GROUPS, COMMON_COMMANDS, commandLine, examplesOf } from '../../src/cli/help.js'
import { createCliContext, createProgram } from '../../src/cli/program.js'
import { runInProcess } from '../helpers/cli.js'

const cwd = tmpdir()
const program = createProgram(createCliContext({ cwd, out: () => {}, err: () => {}, env: {} }))

/** Every command of the tree with the words that reach it: [], ['add'], ... */
function walk(command: Command, path: string[] = []): Array<{ command: Command; path: string[] }> {
  return [{ command, path }, ...command.commands.flatMap((child) => walk(child, [...path, child.name()]))]
}

describe('help for people', () => {
  it('prints short help and exits 0 when run with no arguments', async () => {
    const { code, stdout, stderr } = await runInProcess(cwd, [])
    expect(code).toBe(0)
    expect(stderr).toBe('')
    expect(stdout).toMatch(/^usage: git backlog <command> \[<args>\]\n/)
    const listed = (stdout.split('More help:')[0] ?? '').split('\n').filter((line) => /^ {3}\S/.test(line))
    expect(listed.map((line) => line.trim().split(/\s+/)[0])).toEqual(
      COMMAND_GROUPS.flatMap((group) => group.commands).filter((name) =>
        (COMMON_COMMANDS as readonly string[]).includes(name),
      ),
    )
    expect(listed).toHaveLength(12)
    expect(stdout).toContain('   board    a kanban board of the items, a column per status')
    expect(stdout).toContain("\n   git backlog <command> -h   a command's options and examples\n")
    expect(stdout).toContain('(man git-backlog)')
    expect(stdout.split('\n').every((line) => line.length <= 80)).toBe(true)
  })

  it('shows examples in the help of every command, each one running that command', async () => {
    const all = walk(program)
    expect(all.length).toBeGreaterThan(29)
    for (const { command, path } of all) {
      const { code, stdout } = await runInProcess(cwd, [...path, '-h'])
      expect(code, path.join(' ')).toBe(0)
      expect(stdout, `${path.join(' ') || 'git backlog'} -h`).toMatch(/\nExamples:\n {2}\$ \S/)
      const examples = examplesOf(command)
      expect(examples.length, path.join(' ')).toBeGreaterThan(0)
      for (const example of examples) {
        const line = commandLine(example)
        const [first] = line.slice(line.indexOf('git backlog ') + 'git backlog '.length).split(' ')
        const names = path.length ? [command.name(), ...command.aliases()] : program.commands.map((one) => one.name())
        expect(names, example).toContain(first)
        expect(stdout).toContain(`  $ ${line}`)
      }
    }
  })

  it('answers `help <command>` as `<command> -h`, and groups every command in --help', async () => {
    const viaHelp = await runInProcess(cwd, ['help', 'board'])
    expect(viaHelp.code).toBe(0)
    expect(viaHelp.stdout).toBe((await runInProcess(cwd, ['board', '-h'])).stdout)
    expect(viaHelp.stdout).toMatch(/^Usage: git-backlog board /)

    const full = await runInProcess(cwd, ['--help'])
    expect(full.code).toBe(0)
    const headings = full.stdout.split('\n').filter((line) => /^[A-Z].*:$/.test(line))
    expect(headings).toEqual([
      'Options:',
      ...COMMAND_GROUPS.map((group) => `${group.heading}:`),
      'Commands:',
      'Examples:',
      'More help:',
    ])
    const grouped = COMMAND_GROUPS.flatMap((group) => group.commands)
    expect([...grouped].sort()).toEqual(program.commands.map((command) => command.name()).sort())
    expect(full.stdout).toMatch(/^ {2}help +show help for a command$/m)
  })

  it('points to -h after a usage mistake, and names an unknown command (with the one meant)', async () => {
    const { code, stderr } = await runInProcess(cwd, ['add', '--bogus'])
    expect(code).toBe(1)
    expect(stderr).toBe("error: unknown option '--bogus'\n(run with -h for usage)\n")
    for (const args of [['lst'], ['help', 'lst']]) {
      expect(await runInProcess(cwd, args)).toEqual({
        code: 1,
        stdout: '',
        stderr: "error: unknown command 'lst'\n(Did you mean one of list, ls?)\n(run with -h for usage)\n",
      })
    }
  })
})
