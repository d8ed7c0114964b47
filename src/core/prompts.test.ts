import { describe, expect, it } from 'vitest'
import { parsePromptFile, renderPrompt } from './prompts.js'

const FILE = `---
name: refine
description: Refine an item
arguments:
  - name: id
    description: The item
    required: true
  - name: depth
    default: "2"
---
Refine {{id}} to depth {{ depth }}.
`

describe('prompt files', () => {
  it('reads the frontmatter and fills in arguments, defaults included', () => {
    const prompt = parsePromptFile(FILE, 'refine')
    expect(prompt.arguments).toEqual([
      { name: 'id', description: 'The item', required: true },
      { name: 'depth', default: '2' },
    ])
    expect(renderPrompt(prompt, { id: 'bl-x9' })).toBe('Refine bl-x9 to depth 2.')
    expect(renderPrompt(prompt, { id: 'bl-x9', depth: '3' })).toBe('Refine bl-x9 to depth 3.')
    expect(() => renderPrompt(prompt, {})).toThrow('prompt refine needs id: The item')
  })

  it('leaves no space where an argument is left empty (next-task without a focus)', () => {
    const prompt = parsePromptFile(
      '---\nname: next\ndescription: Next\narguments:\n  - name: focus\n---\nbacklog_list {"filter": "+READY {{focus}}"} then {{ focus }}.\n',
      'next',
    )
    expect(renderPrompt(prompt)).toBe('backlog_list {"filter": "+READY"} then.')
    expect(renderPrompt(prompt, { focus: '+api' })).toBe('backlog_list {"filter": "+READY +api"} then +api.')
  })

  it('says what is wrong with a malformed file, and where', () => {
    const wrong = (text: string, name = 'refine') => {
      try {
        parsePromptFile(text, name)
      } catch (error) {
        return `${(error as { code: string }).code}: ${(error as Error).message}`
      }
      return 'no error'
    }
    expect(wrong('just text')).toMatch(/^MALFORMED_PROMPT: a prompt file starts with a --- frontmatter/)
    expect(wrong('---\ndescription: [\n---\nx')).toMatch(/^MALFORMED_PROMPT: line \d+: the frontmatter is not YAML/)
    expect(wrong(FILE, 'other')).toContain('differs from the file name other.md')
    expect(wrong(FILE.replace('{{id}}', '{{ids}}'))).toContain('{{ids}} in the text is not one of its arguments')
    expect(wrong(FILE.replace('description: Refine an item\n', ''))).toContain('description is missing')
    expect(wrong(FILE.replace('name: refine\n', 'name: refine\ncolour: red\n'))).toContain('unknown key colour')
    expect(wrong(FILE.replace('required: true', 'required: yes'))).toContain('required must be true or false')
  })
})
