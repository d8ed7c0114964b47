/**
 * Every command the docs show runs here, for real. For each page (README.md, docs/*.md; not the ADRs) the shell
 * blocks (```sh, ```bash, ```console) run in order in one temp repository, so later blocks see what earlier ones
 * made, each block as one bash process with the built bin on PATH as `git-backlog`. A block must exit 0.
 *
 * What an HTML comment right before a block can say:
 *
 * - `<!-- doc-test: exit N -->`: the block is expected to fail with exit status N (in a console block, every
 *   command; in a sh block, the last one, the block running without `set -e`).
 * - `<!-- doc-test: error CODE -->` before a ```json tool call: the call is expected to fail with that error code.
 * - `<!-- tested-by: test/install/front-door.test.ts -->`: the block cannot run in a temp repository (installing, cloning,
 *   `npm start`); that test file must exist and contain every command line of the block verbatim.
 *
 * And for the whole page, anywhere in it: `<!-- doc-test: example-backlog -->` starts its repository with the
 * example backlog of `.backlog.example/`, so its commands can name that backlog's ids.
 *
 * A ```console block is a transcript: its `$ ` lines run, and what they print (stdout and stderr) must be what the
 * block shows, once ids, commit hashes and timestamps are masked. A ```json block must parse; one shaped as a
 * `tools/call` request (`{"name": "backlog_…", "arguments": {…}}`) is called on an MCP server over the page's
 * repository. A ```markdown block that is an item file must read and write back byte for byte.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseItemFile, serializeItem } from '../../src/core/codec.js'
import { connectInProcess, textOf } from '../helpers/mcp.js'
import { createDocRepo, type DocRepo, EXAMPLE_BACKLOG } from './doc-repo.js'
import { type CodeBlock, commandLines, docPages, markerWords, ROOT, readPage, SHELL_LANGS } from './markdown.js'

const pages = docPages().map(readPage)

/** The example backlog's ids: they are the same in every run, so output that names them is compared as it is. */
const EXAMPLE_IDS = new Set(
  readdirSync(join(EXAMPLE_BACKLOG, 'tasks'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => basename(name, '.md')),
)

/** What a new item's id, a commit hash and a timestamp look like in output; masked, keeping their width. */
const MASKS: Array<[RegExp, (match: string) => string]> = [
  [
    /\b[a-z]+-[0-9a-hjkmnp-tv-z]{6,7}\b/g,
    (id) => (EXAMPLE_IDS.has(id) ? id : id.replace(/-.*/, (suffix) => `-${'x'.repeat(suffix.length - 1)}`)),
  ],
  [/\b[0-9a-f]{7,40}\b/g, (hash) => 'h'.repeat(hash.length)],
  [/\b\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z/g, (time) => 'T'.repeat(time.length)],
]

function masked(text: string): string {
  let out = text
  for (const [pattern, mask] of MASKS) out = out.replace(pattern, mask)
  return out
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd()
}

function expectedExit(block: CodeBlock): number {
  const words = markerWords(block.marker, 'doc-test')
  return words?.[0] === 'exit' ? Number(words[1]) : 0
}

/** A console transcript as a script that prints the same transcript: each `$ ` command echoed, then run. */
function transcriptScript(block: CodeBlock, exit: number): string {
  const script: string[] = []
  const lines = block.text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (!line.startsWith('$ ')) continue
    const command = [line.slice(2)]
    while ((lines[i + 1] ?? '').startsWith('> ')) command.push((lines[++i] as string).slice(2))
    const shown = [line, ...command.slice(1).map((more) => `> ${more}`)].join('\n')
    script.push(
      `cat <<'__DOC_TEST__'\n${shown}\n__DOC_TEST__`,
      `{ ${command.join('\n')}\n} 2>&1`,
      `status=$?; if [ "$status" != ${exit} ]; then echo "[doc-test: exit $status, expected ${exit}]"; fi`,
    )
  }
  return script.join('\n')
}

function runShell(block: CodeBlock, repo: DocRepo): void {
  const exit = expectedExit(block)
  const where = `${block.page}:${block.line}`
  if (block.lang === 'console') {
    const outcome = repo.bash(transcriptScript(block, exit))
    expect(masked(outcome.stdout), `${where}: the transcript differs from what the commands print`).toBe(
      masked(block.text),
    )
    return
  }
  const outcome = repo.bash(`${exit === 0 ? 'set -eo pipefail\n' : ''}${block.text}`)
  expect(
    outcome.code,
    `${where} exited ${outcome.code}:\n${block.text}\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`,
  ).toBe(exit)
}

interface ToolCall {
  name: string
  arguments?: Record<string, unknown>
}

function isToolCall(value: unknown): value is ToolCall {
  return (
    typeof value === 'object' && value !== null && typeof (value as ToolCall).name === 'string' && 'arguments' in value
  )
}

/** Parses a json block; a tool call runs on a server over the page's repository (a new one each: it costs milliseconds). */
async function runJson(block: CodeBlock, repo: DocRepo): Promise<void> {
  const where = `${block.page}:${block.line}`
  let value: unknown
  try {
    value = JSON.parse(block.text)
  } catch (error) {
    throw new Error(`${where}: not valid JSON: ${(error as Error).message}`)
  }
  if (!isToolCall(value)) return
  const client = await connectInProcess(repo.dir, { clientName: 'doc-test' })
  const result = await client.call(value.name, value.arguments ?? {})
  const words = markerWords(block.marker, 'doc-test')
  if (words?.[0] === 'error') {
    expect(result.isError, `${where}: expected ${words[1]}, got: ${textOf(result)}`).toBe(true)
    expect(textOf(result)).toMatch(new RegExp(`^${words[1]}:`))
  } else {
    expect(result.isError, `${where}: ${value.name} failed: ${textOf(result)}`).toBeFalsy()
  }
}

function runItemFile(block: CodeBlock): void {
  expect(serializeItem(parseItemFile(block.text)), `${block.page}:${block.line}: not a canonical item file`).toBe(
    block.text,
  )
}

/** Whether the harness runs the block (rather than another test, or no one: prose, grammar, output). */
function runs(block: CodeBlock): boolean {
  if (markerWords(block.marker, 'tested-by')) return false
  if (SHELL_LANGS.includes(block.lang) || block.lang === 'json') return true
  return block.lang === 'markdown' && block.text.startsWith('---\nid:')
}

for (const page of pages) {
  const runnable = page.blocks.filter(runs)
  if (runnable.length === 0) continue
  describe(`${page.path}: every block runs`, () => {
    let repo: DocRepo | undefined
    beforeAll(() => {
      repo = createDocRepo({ example: page.directives.includes('doc-test: example-backlog') })
    })
    afterAll(() => repo?.remove())
    for (const block of runnable) {
      const title = `${block.lang} block at line ${block.line}: ${firstLine(block)}`
      it(title, async () => {
        if (SHELL_LANGS.includes(block.lang)) runShell(block, repo as DocRepo)
        else if (block.lang === 'json') await runJson(block, repo as DocRepo)
        else runItemFile(block)
      })
    }
  })
}

function firstLine(block: CodeBlock): string {
  const line = block.text.split('\n').find((text) => text.trim() !== '' && !text.startsWith('#')) ?? ''
  return line.length > 60 ? `${line.slice(0, 59)}…` : line
}

const claimed = pages.flatMap((page) => page.blocks.filter((block) => markerWords(block.marker, 'tested-by')))
describe.runIf(claimed.length > 0)('blocks another test runs (tested-by)', () => {
  for (const block of claimed) {
    const file = (markerWords(block.marker, 'tested-by') as string[])[0] as string
    it(`${block.page}:${block.line} is run by ${file}`, () => {
      const lines = commandLines(block)
      expect(lines.length, `${block.page}:${block.line} has no command line`).toBeGreaterThan(0)
      const path = join(ROOT, file)
      if (!existsSync(path)) {
        throw new Error(
          `${block.page}:${block.line} says ${file} runs it, but ${file} does not exist. ` +
            `It must contain these lines verbatim:\n${lines.join('\n')}`,
        )
      }
      // The command must be in the code that runs, not in a comment that only says it is.
      const code = readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\*|\/\*|#)/.test(line))
        .join('\n')
      const missing = lines.filter((line) => !code.includes(line))
      expect(missing, `${file} does not contain these lines of ${block.page}:${block.line}`).toEqual([])
    })
  }
})

describe('code blocks', () => {
  it('say what they hold: a block of commands has a language, so it is run or claimed', () => {
    const unlabelled = pages.flatMap((page) =>
      page.blocks
        .filter((block) => block.lang === '' && /^(\$ |git |npm |npx |cd |claude )/m.test(block.text))
        .map((block) => `${block.page}:${block.line}`),
    )
    expect(unlabelled).toEqual([])
  })

  it('name a tested-by file that is a test', () => {
    for (const page of pages) {
      for (const block of page.blocks) {
        const file = markerWords(block.marker, 'tested-by')?.[0]
        // A test file, or CI's own script (which runs the README's test command exactly).
        if (file) expect(file, `${page.path}:${block.line}`).toMatch(/^(test\/.+\.test\.ts|\.ci\/run)$/)
      }
    }
  })
})
