/**
 * Shell completion, run in the real shells: bash's completion function called as bash calls it (COMP_WORDS,
 * COMP_CWORD, COMP_LINE, COMP_POINT) for `git-backlog ...`, and git's own bash completion for `git backlog ...`,
 * which calls `_git_backlog`; ids asked of the built bin in a real repository; zsh's and fish's scripts in zsh and fish.
 * Its own layer (`npm run test:shells`), since zsh and fish are installed by scripts/install-shells.sh as root.
 */

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are bash code, where ${...} is bash's own

import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { completionSpec } from '../../src/cli/completion.js'
import { bashScript } from '../../src/cli/completion-scripts.js'
import { createCliContext, createProgram } from '../../src/cli/program.js'
import { runInProcess } from '../helpers/cli.js'
import { BIN, GIT_ENV, git, tempRepo } from '../helpers/repo.js'

const EXAMPLE = join(import.meta.dirname, '..', '..', '.backlog.example')
/** git's bash completion, as Debian's git package installs it (and most others). */
const GIT_COMPLETION = ['/usr/share/bash-completion/completions/git', '/etc/bash_completion.d/git'].find((path) =>
  existsSync(path),
)

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
}

interface Shell {
  repo: { dir: string }
  /** A folder outside the repository, with the scripts. */
  root: string
  env: Record<string, string>
}

let shell: Shell

/** A repository with the example backlog (bl-k3m9x2 archived), and the built bin on PATH as `git-backlog`. */
async function setUp(): Promise<Shell> {
  // One repository for the whole file (tempRepo's is one test's): made here, removed with the folder around it.
  const root = mkdtempSync(join(tmpdir(), 'git-backlog-completion-'))
  const repo = { dir: join(root, 'repo') }
  cpSync(EXAMPLE, join(repo.dir, '.backlog'), { recursive: true })
  git(repo.dir, 'init', '-q', '-b', 'main')
  git(repo.dir, 'add', '-A')
  git(repo.dir, 'commit', '-q', '-m', 'example backlog')
  const archived = await runInProcess(repo.dir, ['archive', 'bl-k3m9x2'])
  if (archived.code !== 0) throw new Error(archived.stderr)
  const bin = join(root, 'bin')
  mkdirSync(bin)
  mkdirSync(join(root, 'home'))
  symlinkSync(BIN, join(bin, 'git-backlog'))
  for (const name of ['bash', 'zsh', 'fish'] as const) {
    const script = await runInProcess(repo.dir, ['completion', name])
    expect(script.code).toBe(0)
    writeFileSync(join(root, `script.${name}`), script.stdout)
  }
  return {
    repo,
    root,
    env: { ...GIT_ENV, PATH: `${bin}:${process.env.PATH}`, HOME: join(root, 'home'), LANG: 'C.UTF-8' },
  }
}

beforeAll(async () => {
  const missing = ['zsh', 'fish'].filter((name) => !onPath(name))
  if (missing.length || !GIT_COMPLETION) {
    throw new Error(
      `missing ${[...missing, ...(GIT_COMPLETION ? [] : ["git's bash completion"])].join(', ')}: run scripts/install-shells.sh (as root), or npm run test:shells`,
    )
  }
  shell = await setUp()
  return () => rmSync(shell.root, { recursive: true, force: true })
})

/**
 * What bash offers for the last word of `words` (typed at the end of the line), through the function `complete -p`
 * names for the command: git's completion for `git`, the script's for `git-backlog`.
 */
function bashComplete(words: string[], options: { cwd?: string; script?: string } = {}): string[] {
  const script = [
    GIT_COMPLETION ? `source ${GIT_COMPLETION}` : '',
    `source ${options.script ?? join(shell.root, 'script.bash')}`,
    `COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')})`,
    'COMP_CWORD=$((${#COMP_WORDS[@]} - 1))',
    'COMP_LINE="${COMP_WORDS[*]}"',
    'COMP_POINT=${#COMP_LINE}',
    'fn=$(complete -p "${COMP_WORDS[0]}" | sed -E \'s/.* -F ([^ ]+) .*/\\1/\')',
    'COMPREPLY=()',
    '"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n')
  const result = spawnSync('bash', ['--noprofile', '--norc', '-c', script], {
    cwd: options.cwd ?? shell.repo.dir,
    env: shell.env,
    encoding: 'utf8',
  })
  expect(result.stderr).toBe('')
  expect(result.status).toBe(0)
  return result.stdout.split('\n').filter(Boolean).sort()
}

describe('bash completion of git-backlog', () => {
  it('is a script bash reads (bash -n), registered for git-backlog, defining _git_backlog for git', () => {
    const result = spawnSync('bash', ['-n', join(shell.root, 'script.bash')], { encoding: 'utf8' })
    expect(result).toMatchObject({ status: 0, stderr: '' })
    const defined = spawnSync(
      'bash',
      ['--norc', '-c', `source ${join(shell.root, 'script.bash')}; complete -p git-backlog; declare -F _git_backlog`],
      { encoding: 'utf8' },
    )
    expect(defined.stdout).toBe('complete -o default -F __git_backlog_bash git-backlog\n_git_backlog\n')
  })

  it('completes commands, aliases and the options before a command', () => {
    expect(bashComplete(['git-backlog', 'sh'])).toEqual(['show'])
    expect(bashComplete(['git-backlog', 'l'])).toEqual(['lint', 'list', 'log', 'ls'])
    expect(bashComplete(['git-backlog', ''])).toEqual(expect.arrayContaining(['export', 'completion', 'help', 'undo']))
    expect(bashComplete(['git-backlog', '--v'])).toEqual(['--version'])
    expect(bashComplete(['git-backlog', 'help', 'exp'])).toEqual(['export'])
  })

  it('completes the options of each command, and the values of options with choices', () => {
    expect(bashComplete(['git-backlog', 'list', '--ar'])).toEqual(['--archived'])
    expect(bashComplete(['git-backlog', 'ls', '--co'])).toEqual(['--count-by', '--counts'])
    expect(bashComplete(['git-backlog', 'export', '--'])).toContain('--bom')
    expect(bashComplete(['git-backlog', 'show', '--'])).toEqual(['--help', '--json'])
    expect(bashComplete(['git-backlog', 'export', '--format', ''])).toEqual(['csv', 'json', 'markdown'])
    expect(bashComplete(['git-backlog', 'add', 'A title', '-t', 'e'])).toEqual(['epic'])
    expect(bashComplete(['git-backlog', 'completion', 'z'])).toEqual(['zsh'])
    expect(bashComplete(['git-backlog', 'completion', 'tc'])).toEqual([])
  })

  it('completes the words an argument or option takes: import sources, hook events, priorities, formats', () => {
    expect(bashComplete(['git-backlog', 'import', ''])).toEqual([
      'backlog-mcp',
      'backlog.md',
      'backloghq',
      'beads',
      'git-backlog',
      'github',
      'taskwarrior',
    ])
    expect(bashComplete(['git-backlog', 'import', 'bea'])).toEqual(['beads'])
    // The path after the source is not a source.
    expect(bashComplete(['git-backlog', 'import', 'beads', 'be'])).toEqual([])
    expect(bashComplete(['git-backlog', 'hook', ''])).toEqual(['session-start', 'todo-write'])
    expect(bashComplete(['git-backlog', 'update', 'bl-7q0zht', '--priority', 'h'])).toEqual(['high'])
    expect(bashComplete(['git-backlog', 'ls', '-t', 'm'])).toEqual(['milestone'])
    expect(bashComplete(['git-backlog', 'review', '--format', 'm'])).toEqual(['markdown'])
    expect(bashComplete(['git', 'backlog', 'hook', 'todo'])).toEqual(['todo-write '])
  })

  it("completes statuses from the repository's config and tags from those in use", async () => {
    expect(bashComplete(['git-backlog', 'list', '--status', ''])).toEqual([
      'blocked',
      'cancelled',
      'done',
      'in_progress',
      'open',
    ])
    expect(bashComplete(['git-backlog', 'add', 'A title', '-s', 'in'])).toEqual(['in_progress'])
    // Tags of items in play: `db` is only on the archived bl-k3m9x2.
    expect(bashComplete(['git-backlog', 'list', '--tag', ''])).toEqual(['adr', 'api', 'auth', 'tests', 'ui'])
    expect(bashComplete(['git-backlog', 'update', 'bl-7q0zht', '--remove-tag', 'a'])).toEqual(['adr', 'api', 'auth'])
    expect(bashComplete(['git', 'backlog', 'ls', '--tag', 'ap'])).toEqual(['api '])
    expect(bashComplete(['git-backlog', '-C', shell.repo.dir, 'ls', '-s', 'bl'], { cwd: shell.root })).toEqual([
      'blocked',
    ])
    // A status the config adds is offered as soon as it is there.
    const repo = tempRepo()
    expect((await runInProcess(repo.dir, ['init'])).code).toBe(0)
    repo.write(
      '.backlog/config.yml',
      repo.read('.backlog/config.yml').replace('  - blocked\n', '  - blocked\n  - review\n'),
    )
    expect(bashComplete(['git-backlog', 'update', 'bl-x', '--status', 're'], { cwd: repo.dir })).toEqual(['review'])
    // A tag with a space is one word on the line.
    expect((await runInProcess(repo.dir, ['add', 'Check the wording', '--tag', 'needs review'])).code).toBe(0)
    expect(bashComplete(['git-backlog', 'ls', '--tag', 'ne'], { cwd: repo.dir })).toEqual(['needs\\ review'])
  })

  it('completes ids where a command takes them, from the repository: archived ones for unarchive', () => {
    expect(bashComplete(['git-backlog', 'show', 'bl-7'])).toEqual(['bl-7q0zht'])
    expect(bashComplete(['git-backlog', 'done', 'bl-7q0zht', 'BL-A'])).toEqual(['bl-a7h3pk', 'bl-ad5r0t'])
    expect(bashComplete(['git-backlog', 'update', 'bl-wd4f1n', '--parent', 'bl-a'])).toEqual(['bl-a7h3pk', 'bl-ad5r0t'])
    // The value of an option is not an id; the second argument of note is its text.
    expect(bashComplete(['git-backlog', 'start', '-m', 'bl-7'])).toEqual([])
    expect(bashComplete(['git-backlog', 'note', 'bl-7q0zht', 'bl-7'])).toEqual([])
    expect(bashComplete(['git-backlog', 'show', 'bl-k'])).toEqual([])
    expect(bashComplete(['git-backlog', 'unarchive', 'bl-'])).toEqual(['bl-k3m9x2'])
  })

  it('asks the repository -C names, from anywhere', () => {
    expect(bashComplete(['git-backlog', '-C', shell.repo.dir, 'show', 'bl-r'], { cwd: shell.root })).toEqual([
      'bl-r3cv0k',
    ])
    // Outside a repository there are no ids, and no error on the screen.
    expect(bashComplete(['git-backlog', 'show', 'bl-r'], { cwd: shell.root })).toEqual([])
  })

  it("completes `git backlog ...` through git's own completion, words ending in a space", () => {
    expect(bashComplete(['git', 'backlog', 'sh'])).toEqual(['show '])
    expect(bashComplete(['git', 'backlog', 'list', '--so'])).toEqual(['--sort '])
    expect(bashComplete(['git', 'backlog', 'done', 'bl-7'])).toEqual(['bl-7q0zht '])
    expect(bashComplete(['git', '-C', shell.repo.dir, 'backlog', 'show', 'bl-r'], { cwd: shell.root })).toEqual([
      'bl-r3cv0k ',
    ])
    // git lists backlog among its commands, as a command on the PATH.
    expect(bashComplete(['git', 'backl'])).toEqual(['backlog '])
  })

  it('is made from the program: a command or option added there is completed with no other change', () => {
    const program = createProgram(createCliContext({ cwd: shell.root, out: () => {}, err: () => {}, env: {} }))
    program
      .command('frobnicate')
      .argument('<id...>')
      .option('--wibble <id>')
      .option('--level <level>')
      .action(() => {})
    const file = join(shell.root, 'changed.bash')
    writeFileSync(file, bashScript(completionSpec(program)))
    expect(bashComplete(['git-backlog', 'frob'], { script: file })).toEqual(['frobnicate'])
    expect(bashComplete(['git-backlog', 'frobnicate', '--w'], { script: file })).toEqual(['--wibble'])
    expect(bashComplete(['git-backlog', 'frobnicate', '--wibble', 'bl-m'], { script: file })).toEqual(['bl-m1e5t0'])
    expect(bashComplete(['git-backlog', 'frobnicate', '--level', 'x', 'bl-d'], { script: file })).toEqual(['bl-dcs0f7'])
  })
})

describe('git backlog __complete ids', () => {
  it('prints ids starting with a prefix in any case, with titles on --describe, and nothing for what it cannot answer', async () => {
    const { repo } = shell
    expect(await runInProcess(repo.dir, ['__complete', 'ids', 'BL-A'])).toEqual({
      code: 0,
      stdout: 'bl-a7h3pk\nbl-ad5r0t\n',
      stderr: '',
    })
    expect((await runInProcess(repo.dir, ['__complete', 'ids', '--describe', '--', 'bl-7'])).stdout).toBe(
      'bl-7q0zht\tRegistration ceremony endpoint\n',
    )
    expect((await runInProcess(repo.dir, ['__complete', 'ids', '--archived'])).stdout).toBe('bl-k3m9x2\n')
    expect((await runInProcess(repo.dir, ['__complete', 'ids'])).stdout.trim().split('\n')).toHaveLength(8)
    expect((await runInProcess(repo.dir, ['__complete', 'statuses', '--', 'c'])).stdout).toBe('cancelled\n')
    expect((await runInProcess(repo.dir, ['__complete', 'tags', 'A'])).stdout).toBe('adr\napi\nauth\n')
    expect(await runInProcess(shell.root, ['__complete', 'tags'])).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(await runInProcess(repo.dir, ['__complete', 'nothing'])).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(await runInProcess(shell.root, ['__complete', 'ids'])).toEqual({ code: 0, stdout: '', stderr: '' })
  })

  it('refuses a shell it has no script for', async () => {
    expect(await runInProcess(shell.repo.dir, ['completion', 'tcsh'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: completion is for bash, zsh, fish, not "tcsh"\n',
    })
  })
})

/** Runs a shell's script in the repository (or `cwd`) with the bin on PATH; its output lines, sorted. */
function run(command: string, args: string[], cwd = shell.repo.dir): string[] {
  const result = spawnSync(command, args, { cwd, env: shell.env, encoding: 'utf8' })
  expect(result.stderr).toBe('')
  expect(result.status).toBe(0)
  return result.stdout.split('\n').filter(Boolean).sort()
}

describe('zsh completion', () => {
  it('is a script zsh reads (zsh -n)', () => {
    expect(run('zsh', ['-n', join(shell.root, 'script.zsh')])).toEqual([])
  })

  /**
   * The script's _git-backlog run by zsh over `words`, with zsh's completion builtins (which need a terminal) replaced
   * by functions printing what they are given: candidates as `name:description`, and <files>, <directories>...
   */
  function zshComplete(words: string[], cwd?: string): string[] {
    const harness = [
      'compdef() { }',
      '_describe() { print -l -- ${(P)${@[-1]}} }',
      'compadd() { [[ $1 == -- ]] && shift; print -l -- "$@" }',
      "_files() { print -- '<files>' }",
      "_directories() { print -- '<directories>' }",
      "_default() { print -- '<default>' }",
      '_message() { print -- "<message>" }',
      `source ${join(shell.root, 'script.zsh')}`,
      'words=("$@"); CURRENT=$#words; PREFIX=$words[-1]',
      '_git-backlog',
    ].join('\n')
    return run('zsh', ['-f', '-c', harness, 'zsh', ...words], cwd)
  }

  it('completes commands, options, choices and ids, for git-backlog and for git backlog (words from backlog on)', () => {
    expect(zshComplete(['git-backlog', 'sh'])).toContain('show:show items in full (archived ones too)')
    expect(zshComplete(['git-backlog', 'list', '--ar'])).toContain('--archived:include archived items')
    expect(zshComplete(['git-backlog', 'export', '--format', ''])).toEqual(['csv', 'json', 'markdown'])
    expect(zshComplete(['backlog', 'show', 'bl-7'])).toEqual(['bl-7q0zht:Registration ceremony endpoint'])
    expect(zshComplete(['backlog', 'update', 'bl-x', '--parent', 'bl-a'])).toEqual([
      'bl-a7h3pk:Sign-in with passkeys',
      'bl-ad5r0t:ADR: why passkeys before social login',
    ])
    expect(zshComplete(['git-backlog', 'note', 'bl-7q0zht', 'bl-'])).toEqual(['<default>'])
    expect(zshComplete(['git-backlog', 'unarchive', 'bl-'])).toEqual(['bl-k3m9x2:Store passkey credentials'])
    expect(zshComplete(['git-backlog', 'list', '--status', 'in'])).toEqual(['in_progress'])
    expect(zshComplete(['backlog', 'list', '--tag', 'a'])).toEqual(['adr', 'api', 'auth'])
    expect(zshComplete(['git-backlog', 'hook', ''])).toEqual(['session-start', 'todo-write'])
    expect(zshComplete(['git-backlog', '-C', shell.repo.dir, 'show', 'bl-r'], shell.root)).toEqual([
      'bl-r3cv0k:Account recovery by email link',
    ])
  })
})

describe('fish completion', () => {
  it('is a script fish reads (fish -n)', () => {
    expect(run('fish', ['-n', join(shell.root, 'script.fish')])).toEqual([])
  })

  /** What fish offers for `line` (`complete -C`), the script loaded as config.fish would load it. */
  function fishComplete(line: string, cwd?: string): string[] {
    const script = `source ${join(shell.root, 'script.fish')}; complete -C ${JSON.stringify(line)}`
    return run('fish', ['--no-config', '-c', script], cwd)
  }

  it('completes commands, options, choices and ids, with descriptions, for git-backlog and git backlog', () => {
    expect(fishComplete('git-backlog sh')).toEqual(['show\tshow items in full (archived ones too)'])
    expect(fishComplete('git-backlog list --ar')).toEqual(['--archived\tinclude archived items'])
    expect(fishComplete('git-backlog export --format ').map((line) => line.split('\t')[0])).toEqual([
      'csv',
      'json',
      'markdown',
    ])
    expect(fishComplete('git-backlog show bl-7')).toEqual(['bl-7q0zht\tRegistration ceremony endpoint'])
    expect(fishComplete('git-backlog note bl-7q0zht bl-')).toEqual([])
    expect(fishComplete('git-backlog unarchive bl-')).toEqual(['bl-k3m9x2\tStore passkey credentials'])
    const words = (line: string) => fishComplete(line).map((found) => found.split('\t')[0])
    expect(words('git-backlog list --status in')).toEqual(['in_progress'])
    expect(words('git-backlog list --tag a')).toEqual(['adr', 'api', 'auth'])
    expect(words('git-backlog import bea')).toEqual(['beads'])
    expect(words('git-backlog import beads bea')).toEqual([])
    expect(fishComplete('git backlog done bl-7')).toEqual(['bl-7q0zht\tRegistration ceremony endpoint'])
    expect(fishComplete(`git -C ${shell.repo.dir} backlog show bl-r`, shell.root)).toEqual([
      'bl-r3cv0k\tAccount recovery by email link',
    ])
  })
})
