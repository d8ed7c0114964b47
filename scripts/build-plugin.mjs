// Writes the Claude Code plugin's skills (plugins/claude-code/skills/<name>/SKILL.md) from the workflow prompts the
// MCP server serves (templates/prompts/<name>.md), so the two never say different things. test/plugin/claude-code.test.ts
// fails when the committed skills differ from what this writes: edit the prompt, then run `node scripts/build-plugin.mjs`.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import jsYaml from 'js-yaml'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const PROMPTS = 'templates/prompts'
export const SKILLS = 'plugins/claude-code/skills'

/** One argument as a skill lists it: its name, whether it is required or what it defaults to, what it is. */
function argumentLine(arg) {
  const how = arg.required ? 'required' : arg.default ? `default: ${arg.default}` : 'optional'
  return `- \`${arg.name}\` (${how}): ${arg.description ?? ''}`.trimEnd()
}

/** The skills, by path from the repository's root, each made from the prompt of the same name. */
export function skillFiles(root = ROOT) {
  const files = new Map()
  for (const file of readdirSync(join(root, PROMPTS)).sort()) {
    if (!file.endsWith('.md')) continue
    const text = readFileSync(join(root, PROMPTS, file), 'utf8')
    const match = /^---\n([\s\S]*?)\n---\n/.exec(text)
    if (!match) throw new Error(`${PROMPTS}/${file}: no frontmatter`)
    const meta = jsYaml.load(match[1], { schema: jsYaml.CORE_SCHEMA })
    const args = meta.arguments ?? []
    const body = text
      .slice(match[0].length)
      .replace(/\{\{\s*([a-z0-9_]+)\s*\}\}/g, '<$1>')
      .trim()
    const lines = [
      '---',
      `name: ${meta.name}`,
      `description: ${JSON.stringify(`${meta.description}. Uses the backlog MCP tools (git-backlog).`)}`,
      '---',
      '',
      `<!-- Made from ${PROMPTS}/${file} by scripts/build-plugin.mjs: edit that file, then run the script. -->`,
      '',
      ...(args.length
        ? ['Take these from the request (ask for a required one that is missing):', ...args.map(argumentLine), '']
        : []),
      body,
      '',
    ]
    files.set(`${SKILLS}/${meta.name}/SKILL.md`, lines.join('\n'))
  }
  return files
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [path, content] of skillFiles()) {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true })
    writeFileSync(join(ROOT, path), content)
    console.log(`wrote ${path}`)
  }
}
