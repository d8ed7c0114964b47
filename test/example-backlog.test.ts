import { cpSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createApp } from '../src/app/index.js'
import { parseItemFile, serializeItem } from '../src/core/codec.js'
import { tempRepo } from './helpers/repo.js'

const EXAMPLE = join(import.meta.dirname, '..', '.backlog.example')

describe('the example backlog in .backlog.example/', () => {
  it('holds canonical item files: each parses and writes back byte for byte', () => {
    const files = readdirSync(join(EXAMPLE, 'tasks'), { recursive: true, encoding: 'utf8' }).filter((name) =>
      name.endsWith('.md'),
    )
    expect(files.length).toBeGreaterThanOrEqual(8)
    for (const file of files) {
      const text = readFileSync(join(EXAMPLE, 'tasks', file), 'utf8')
      expect(serializeItem(parseItemFile(text)), file).toBe(text)
    }
  })

  it('works as a real backlog: every type present, links resolve, nothing unreadable', async () => {
    const repo = tempRepo()
    cpSync(EXAMPLE, join(repo.dir, '.backlog'), { recursive: true })
    repo.git('add', '-A')
    repo.git('commit', '-qm', 'example backlog')
    const app = createApp({ cwd: repo.dir })
    const all = await app.list({ status: ['all'], counts: true })
    expect(all.problems).toBeUndefined()
    expect(Object.keys(all.counts!.by_type).sort()).toEqual(['artifact', 'epic', 'folder', 'milestone', 'task'])
    const ids = new Set(all.items.map((row) => row.id))
    const { items } = await app.get({ id: [...ids] })
    for (const item of items) {
      for (const link of [item.parent, item.epic, ...item.depends_on].filter(Boolean))
        expect(ids.has(link!), `${item.id} → ${link}`).toBe(true)
    }
    expect(items.some((item) => item.notes.length > 0 && item.references.length >= 0)).toBe(true)
    expect(items.some((item) => item.references.length > 0)).toBe(true)
    app.close()
  })
})
