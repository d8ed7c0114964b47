/**
 * What the docs name must exist: every `git backlog …` in prose and tables is a real command with real options, every
 * `npm run …` a script of package.json, every tool of the server has its section on the tools page with each
 * parameter of its schema (and no other), every error code is listed there, and every link between the pages leads to a
 * file and a heading that exist.
 */

import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/program.js'
import { ERROR_CODES } from '../../src/core/errors.js'
import { connectInProcess } from '../helpers/mcp.js'
import { tempRepo } from '../helpers/repo.js'
import { docPages, type InlineCode, ROOT, readPage } from './markdown.js'

const pages = docPages().map(readPage)

/** What `git-backlog <args> -h` prints, run in process. */
async function helpOf(args: string[]): Promise<string> {
  let text = ''
  const write = (chunk: string) => {
    text += `${chunk}\n`
  }
  await runCli([...args, '-h'], { cwd: ROOT, out: write, err: write, env: {} })
  return text
}

/** Command names and aliases, from the top-level help: `update|set` gives update and set. */
function commandsOf(help: string): Map<string, string> {
  // Every heading after the options lists commands, grouped by what they are for.
  const section = help.slice(help.indexOf('Options:'))
  const names = new Map<string, string>()
  for (const match of section.matchAll(/^ {2}([a-z][\w-]*)((?:\|[a-z][\w-]*)*)/gm)) {
    const name = match[1] as string
    names.set(name, name)
    for (const alias of (match[2] ?? '').split('|').filter(Boolean)) names.set(alias, name)
  }
  return names
}

function optionsOf(help: string): Set<string> {
  return new Set([...help.matchAll(/(?<![\w-])(--?[a-zA-Z][\w-]*)/g)].map((match) => match[1] as string))
}

/** Options named in a piece of inline code: `-s STATUS` → -s, `[--agent A]` → --agent, `--set key=` → --set. */
function optionTokens(code: string): string[] {
  return code
    .split(/\s+/)
    .map((token) => token.replace(/^[[(]+|[\]),]+$/g, '').replace(/=.*$/, ''))
    .filter((token) => /^--?[a-zA-Z][\w-]*$/.test(token))
}

const FILTER_WORD = /^-[A-Z]{2,}$/

interface Claim {
  where: string
  command: string
  options: string[]
}

/** Every command the pages name inline, with the options they give it (in the same code, or in its table row). */
function claims(): Claim[] {
  const found: Claim[] = []
  for (const page of pages) {
    for (const inline of page.inline) {
      const words = /^git backlog\s+(.*)$/.exec(inline.code)?.[1]
      if (words === undefined) continue
      const [first = ''] = words.split(/\s+/)
      const command = first.startsWith('-') ? '' : first
      // `git backlog <command>`, `git backlog ...`: a placeholder, not a command.
      if (command && !/^[a-z][\w-]*$/.test(command)) continue
      found.push({
        where: `${inline.page}:${inline.line}`,
        command,
        options: optionTokens(command ? words.slice(first.length) : words),
      })
    }
    for (const row of tableRows(page.inline)) {
      const head = /^git backlog\s+([a-z][\w-]*)/.exec(row.cells[0]?.[0] ?? '')
      if (!head) continue
      const options = row.cells
        .slice(1)
        .flat()
        .filter((code) => code.startsWith('-'))
        .flatMap(optionTokens)
      found.push({ where: `${row.page}:${row.line} (table row)`, command: head[1] as string, options })
    }
  }
  return found
}

function tableRows(inline: InlineCode[]): Array<{ page: string; line: number; cells: string[][] }> {
  const rows = new Map<string, { page: string; line: number; cells: string[][] }>()
  for (const code of inline) {
    if (code.cells) rows.set(`${code.page}:${code.line}`, { page: code.page, line: code.line, cells: code.cells })
  }
  return [...rows.values()]
}

describe('commands the docs name', () => {
  let commands: Map<string, string>
  const options = new Map<string, Set<string>>()
  beforeAll(async () => {
    const top = await helpOf([])
    commands = commandsOf(top)
    options.set('', optionsOf(top))
    for (const name of new Set(commands.values())) options.set(name, optionsOf(await helpOf([name])))
  })

  it('are commands of git-backlog, with options they have', () => {
    const wrong: string[] = []
    for (const claim of claims()) {
      const name = claim.command ? commands.get(claim.command) : ''
      if (name === undefined) {
        wrong.push(`${claim.where}: no command "${claim.command}"`)
        continue
      }
      const known = options.get(name) as Set<string>
      for (const option of claim.options) {
        if (FILTER_WORD.test(option) && ['list', 'board'].includes(name)) continue
        if (!known.has(option)) wrong.push(`${claim.where}: ${name || 'git-backlog'} has no option ${option}`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('name scripts that package.json has (npm run ...)', () => {
    const scripts = Object.keys(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
    )
    const wrong: string[] = []
    for (const page of pages) {
      const texts = [...page.inline.map((inline) => inline.code), ...page.blocks.map((block) => block.text)]
      for (const text of texts) {
        for (const match of text.matchAll(/\bnpm run ([\w:-]+)/g)) {
          if (!scripts.includes(match[1] as string)) wrong.push(`${page.path}: npm run ${match[1]}`)
        }
      }
    }
    expect(wrong).toEqual([])
  })
})

describe('the tools page', () => {
  const page = readPage('docs/tools.md')

  /** The text of each `### name` section, up to the next heading of that level or above. */
  function sections(): Map<string, string> {
    const found = new Map<string, string>()
    const headings = page.headings
    headings.forEach((heading, i) => {
      if (heading.level !== 3) return
      const end = headings.slice(i + 1).find((next) => next.level <= 3)?.line ?? page.lines.length + 1
      found.set(heading.text, page.lines.slice(heading.line, end - 1).join('\n'))
    })
    return found
  }

  it('has a section for every tool, naming each parameter of its schema and no other', async () => {
    const repo = tempRepo()
    const client = await connectInProcess(repo.dir)
    const { tools } = await client.client.listTools()
    const bySection = sections()
    const wrong: string[] = []
    for (const tool of tools) {
      const text = bySection.get(tool.name)
      if (text === undefined) {
        wrong.push(`no section "### ${tool.name}"`)
        continue
      }
      const properties = Object.keys((tool.inputSchema as { properties?: object }).properties ?? {})
      const named = new Set([...text.matchAll(/`([a-z_]+)`/g)].map((match) => match[1] as string))
      for (const property of properties)
        if (!named.has(property)) wrong.push(`${tool.name}: ${property} is not described`)
      const table = text.split('\n').filter((line) => /^\| `/.test(line))
      for (const row of table) {
        for (const name of (row.split('|')[1] ?? '').matchAll(/`([a-z_]+)`/g)) {
          if (!properties.includes(name[1] as string))
            wrong.push(`${tool.name}: the table names ${name[1]}, which it does not take`)
        }
      }
    }
    for (const name of bySection.keys()) {
      if (/^(backlog_|write_)/.test(name) && !tools.some((tool) => tool.name === name)) wrong.push(`no tool ${name}`)
    }
    expect(wrong).toEqual([])
  })

  it('lists every error code', () => {
    const named = new Set(page.inline.map((inline) => inline.code))
    expect(ERROR_CODES.filter((code) => !named.has(code))).toEqual([])
  })
})

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
function slugOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

describe('links between the pages', () => {
  it('lead to files that exist and headings they have', () => {
    const anchors = new Map<string, Set<string>>()
    const anchorsOf = (path: string): Set<string> => {
      if (!anchors.has(path)) {
        const page = readPage(path)
        const ids = [...page.lines.join('\n').matchAll(/<a id="([^"]+)"/g)].map((match) => match[1] as string)
        anchors.set(path, new Set([...page.headings.map((heading) => slugOf(heading.text)), ...ids]))
      }
      return anchors.get(path) as Set<string>
    }
    const wrong: string[] = []
    for (const page of pages) {
      page.lines.forEach((line, i) => {
        for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          const target = match[1] as string
          if (/^[a-z]+:/.test(target)) continue
          const [file = '', anchor] = target.split('#')
          const path = file ? join(dirname(page.path), file) : page.path
          if (!existsSync(join(ROOT, path))) wrong.push(`${page.path}:${i + 1}: no file ${path}`)
          else if (anchor && path.endsWith('.md') && !anchorsOf(path).has(anchor))
            wrong.push(`${page.path}:${i + 1}: no heading #${anchor} in ${path}`)
        }
      })
    }
    expect(wrong).toEqual([])
  })
})
