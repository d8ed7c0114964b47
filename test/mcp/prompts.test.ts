/** Workflow prompts and the session briefing over MCP, through the SDK client: built in, overridden, malformed. */

import { describe, expect, it } from 'vitest'
import { builtInPrompts } from '../../src/app/use-cases/prompts.js'
import { callOk, connectInProcess, initializedClient } from '../helpers/mcp.js'

const NAMES = ['hand-off', 'next-task', 'plan-feature', 'refine-item', 'review-branch', 'stand-up']

function textOfPrompt(result: { messages: Array<{ content: unknown }> }): string {
  return result.messages.map((message) => (message.content as { text: string }).text).join('\n')
}

describe('MCP prompts', () => {
  it('lists the workflow prompts with their arguments and fills the arguments in', async () => {
    const { client } = await initializedClient()
    const { prompts } = await client.client.listPrompts()
    expect(prompts.map((prompt) => prompt.name)).toEqual(NAMES)
    expect(prompts.find((prompt) => prompt.name === 'refine-item')?.arguments).toEqual([
      { name: 'id', description: 'The item to refine', required: true },
    ])
    for (const prompt of prompts) expect(prompt.description?.length).toBeGreaterThan(10)

    // A prompt's id argument completes to item ids, as the item template's does.
    const created = await callOk<{ items: Array<{ id: string }> }>(client, 'backlog_create', { title: 'Vague' })
    const id = created.items[0]?.id as string
    const completion = await client.client.complete({
      ref: { type: 'ref/prompt', name: 'refine-item' },
      argument: { name: 'id', value: id.slice(0, 5) },
    })
    expect(completion.completion.values).toEqual([id])

    const refine = await client.client.getPrompt({ name: 'refine-item', arguments: { id: 'bl-k3m9x2' } })
    const text = textOfPrompt(refine)
    expect(refine.messages[0]?.role).toBe('user')
    expect(text).toContain('backlog_context {"id": "bl-k3m9x2"}')
    expect(text).not.toContain('{{')

    // An optional argument left out takes its default; the prompt names tools that exist, with their arguments.
    const review = textOfPrompt(await client.client.getPrompt({ name: 'review-branch' }))
    expect(review).toContain('backlog_history {"range": ""}')
    const standUp = textOfPrompt(await client.client.getPrompt({ name: 'stand-up', arguments: { since: 'monday' } }))
    expect(standUp).toContain('closed.gte:monday')
    const plan = textOfPrompt(
      await client.client.getPrompt({ name: 'plan-feature', arguments: { feature: 'Passkeys' } }),
    )
    expect(plan).toMatch(/backlog_create \{"items": \[/)
    expect(plan).toContain('"parent": "#1"')
  })

  it('answers a missing required argument, an unknown one and an unknown prompt with what to do', async () => {
    const { client } = await initializedClient()
    await expect(client.client.getPrompt({ name: 'refine-item' })).rejects.toThrow(
      /INVALID_INPUT: prompt refine-item needs id: The item to refine/,
    )
    await expect(client.client.getPrompt({ name: 'next-task', arguments: { colour: 'red' } })).rejects.toThrow(
      /INVALID_INPUT: prompt next-task takes no argument colour; it takes focus/,
    )
    await expect(client.client.getPrompt({ name: 'retro' })).rejects.toThrow(
      /NOT_FOUND: No prompt retro\. Prompts: hand-off, next-task, plan-feature/,
    )
  })

  it("uses the repository's own prompt over the built-in one, and adds new ones", async () => {
    const { repo, client } = await initializedClient()
    repo.write(
      '.backlog/prompts/next-task.md',
      '---\nname: next-task\ndescription: Our way of picking work\narguments:\n  - name: team\n    required: true\n---\nAsk {{team}} on the channel, then call backlog_list.\n',
    )
    repo.write('.backlog/prompts/retro.md', '---\ndescription: A retrospective\n---\nCall backlog_history.\n')
    const { prompts } = await client.client.listPrompts()
    expect(prompts.map((prompt) => prompt.name)).toEqual([...NAMES, 'retro'].sort())
    expect(prompts.find((prompt) => prompt.name === 'next-task')).toMatchObject({
      description: 'Our way of picking work',
      arguments: [{ name: 'team', required: true }],
    })
    const got = await client.client.getPrompt({ name: 'next-task', arguments: { team: 'web' } })
    expect(textOfPrompt(got)).toBe('Ask web on the channel, then call backlog_list.')
    expect(textOfPrompt(await client.client.getPrompt({ name: 'retro' }))).toBe('Call backlog_history.')
  })

  it('reports a malformed override clearly and goes on serving everything else', async () => {
    const { repo, client } = await initializedClient()
    repo.write('.backlog/prompts/hand-off.md', '---\nname: hand-off\ndescription: [unclosed\n---\nText\n')
    repo.write('.backlog/prompts/odd.md', '---\nname: other\ndescription: Named otherwise\n---\nText {{nope}}\n')
    repo.write('.backlog/prompts/plain.md', 'No frontmatter at all\n')
    const { prompts } = await client.client.listPrompts()
    const handOff = prompts.find((prompt) => prompt.name === 'hand-off')
    expect(handOff?.description).toMatch(
      /^Unusable: \.backlog\/prompts\/hand-off\.md cannot be read: line \d+: the frontmatter is not YAML: .+\. Fix the file, or delete it to use the built-in prompt\.$/,
    )
    expect(prompts.find((prompt) => prompt.name === 'odd')?.description).toContain(
      'name "other" differs from the file name odd.md',
    )
    expect(prompts.find((prompt) => prompt.name === 'plain')?.description).toContain('starts with a --- frontmatter')
    await expect(client.client.getPrompt({ name: 'hand-off' })).rejects.toThrow(
      /MALFORMED_PROMPT: \.backlog\/prompts\/hand-off\.md cannot be read: line \d+/,
    )
    // The other prompts, the tools and the resources are unaffected.
    expect(textOfPrompt(await client.client.getPrompt({ name: 'stand-up' }))).toContain('backlog_list')
    await callOk(client, 'backlog_create', { title: 'Still works' })
    const briefing = await client.client.readResource({ uri: 'backlog://briefing' })
    expect((briefing.contents[0] as { text: string }).text).toContain('Still works')
  })

  it('serves the briefing as a resource, for the connected agent', async () => {
    const { repo, client } = await initializedClient()
    await callOk(client, 'backlog_create', { title: 'Mine', status: 'in_progress', assignee: 'test-agent' })
    const other = await connectInProcess(repo.dir, { clientName: 'other-agent' })
    await callOk(other, 'backlog_create', { title: 'Theirs' })
    const read = await client.client.readResource({ uri: 'backlog://briefing' })
    const text = (read.contents[0] as { text: string }).text
    expect(read.contents[0]).toMatchObject({ uri: 'backlog://briefing', mimeType: 'text/plain' })
    expect(text).toMatch(/^Backlog briefing for test-agent on main: 2 items; 1 in progress, 1 ready, 0 blocked\./)
    expect(text).toMatch(/@test-agent \(you\) Mine/)
    expect(text).toMatch(/Changed since your last change .*: 1 commit\n- .* other-agent: add .*Theirs/)
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(3072)
  })

  it('ships built-in prompts that all parse', () => {
    expect(builtInPrompts().map((prompt) => prompt.name)).toEqual(NAMES)
  })
})
