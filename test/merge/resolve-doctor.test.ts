/** `resolve` (task files git left in conflict, merged again from the index stages) and `doctor` (setup checks). */

import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { parseItemFile } from '../../src/core/codec.js'
import { createInput, updateInput } from '../../src/core/inputs.js'
import { ATTRIBUTES_PATH, itemPath } from '../../src/core/layout.js'
import { tempRepo } from '../helpers/repo.js'

/** A backlog with one item and two branches that changed its tags and priority differently, merged by plain git. */
async function conflictedMerge() {
  const repo = tempRepo()
  const app = createApp({ cwd: repo.dir, agent: () => 'setup' })
  await app.init({})
  const id = (await app.create(createInput.parse({ title: 'Rotate keys', tags: ['security'], priority: 'medium' })))
    .items[0]!.id
  repo.git('checkout', '-q', '-b', 'side')
  await app.update(updateInput.parse({ id, add_tags: ['side'], priority: 'low' }))
  repo.git('checkout', '-q', 'main')
  await app.update(updateInput.parse({ id, add_tags: ['main'], priority: 'urgent' }))
  app.close()
  // As a merge made before the driver was set up (or by a tool that does not run it): git's own line merge.
  writeFileSync(join(repo.dir, '.git', 'info', 'attributes'), '*.md merge=text\n')
  expect(() => repo.git('merge', '-q', 'side')).toThrow()
  rmSync(join(repo.dir, '.git', 'info', 'attributes'))
  return { repo, id }
}

describe('git backlog resolve', () => {
  it('merges a task file left in conflict field by field from the index stages, and stages it', async () => {
    const { repo, id } = await conflictedMerge()
    expect(repo.read(itemPath(id))).toMatch(/^<<<<<<< /m)
    expect(repo.git('status', '--porcelain')).toMatch(/^UU /m)

    const app = createApp({ cwd: repo.dir })
    // the server notices: the file is reported with how to fix it, and writes are refused mid-merge
    const listed = await app.list({})
    expect(listed.problems?.[0]).toMatchObject({ path: itemPath(id), reason: expect.stringMatching(/backlog resolve/) })
    await expect(app.update(updateInput.parse({ id, note: 'x' }))).rejects.toMatchObject({ code: 'REPO_BUSY' })

    const result = await app.resolve()
    expect(result.files).toEqual([{ path: itemPath(id), outcome: 'merged', settled: ['priority'] }])
    const merged = parseItemFile(repo.read(itemPath(id)))
    expect(merged.tags).toEqual(['security', 'main', 'side'])
    expect(merged.priority).toBe('urgent')
    expect(merged.notes.map((note) => note.text).join()).toMatch(/priority.*low/)
    expect(repo.git('status', '--porcelain')).toMatch(/^M {2}\.backlog\//m)
    repo.git('commit', '-q', '--no-edit')
    repo.git('fsck', '--strict')
    expect((await app.get({ id: [id] })).items[0]!.tags).toEqual(['security', 'main', 'side'])
    app.close()
  })

  it('leaves a file whose markers the person already took out as they made it', async () => {
    const { repo, id } = await conflictedMerge()
    const mine = repo.read(itemPath(id)).replace(/^(<{7}|={7}|>{7}).*\n/gm, '')
    repo.write(itemPath(id), mine)
    const app = createApp({ cwd: repo.dir })
    const result = await app.resolve()
    expect(result.files).toEqual([
      { path: itemPath(id), outcome: 'conflict', next: expect.stringMatching(/already edited by hand/) },
    ])
    expect(repo.read(itemPath(id))).toBe(mine)
    app.close()
  })

  it('says there is nothing to do, and refuses a path that is not in conflict', async () => {
    const repo = tempRepo()
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    expect(await app.resolve()).toEqual({ files: [] })
    await expect(app.resolve({ paths: ['.backlog/tasks/x/bl-nope1x.md'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    app.close()
  })

  it('leaves a description both sides rewrote with markers, unstaged, and says what to do', async () => {
    const repo = tempRepo()
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    const id = (await app.create(createInput.parse({ title: 'T', description: 'One line.\n' }))).items[0]!.id
    repo.git('checkout', '-q', '-b', 'side')
    await app.update(updateInput.parse({ id, description: 'One line, theirs.\n' }))
    repo.git('checkout', '-q', 'main')
    await app.update(updateInput.parse({ id, description: 'One line, ours.\n', status: 'in_progress' }))
    writeFileSync(join(repo.dir, '.git', 'info', 'attributes'), '*.md merge=text\n')
    expect(() => repo.git('merge', '-q', 'side')).toThrow()

    const result = await app.resolve()
    expect(result.files[0]).toMatchObject({ outcome: 'conflict', next: expect.stringMatching(/markers/) })
    const text = repo.read(itemPath(id))
    expect(text).toMatch(/<<<<<<< ours\nOne line, ours\.\n=======\nOne line, theirs\.\n>>>>>>> theirs/)
    expect(repo.git('status', '--porcelain')).toMatch(/^UU /m)
    app.close()
  })
})

describe('git backlog resolve, modify/delete', () => {
  it('keeps an item one side deleted and the other changed, staged, and says so', async () => {
    const repo = tempRepo()
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    const id = (await app.create(createInput.parse({ title: 'Keep me' }))).items[0]!.id
    repo.git('checkout', '-q', '-b', 'side')
    await app.update(updateInput.parse({ id, note: 'still needed' }))
    repo.git('checkout', '-q', 'main')
    await app.remove({ id: [id] })
    expect(() => repo.git('merge', '-q', 'side')).toThrow()
    expect(repo.git('status', '--porcelain')).toMatch(/^DU /m)

    const result = await app.resolve()
    expect(result.files).toEqual([
      expect.objectContaining({ path: itemPath(id), outcome: 'merged', next: expect.stringMatching(/kept/) }),
    ])
    repo.git('commit', '-q', '--no-edit')
    expect(parseItemFile(repo.git('show', `HEAD:${itemPath(id)}`)).notes.map((note) => note.text)).toEqual([
      'still needed',
    ])
    app.close()
  })
})

describe('git backlog doctor', () => {
  it('finds a backlog without the driver and repairs it with fix (one commit inside .backlog/)', async () => {
    const repo = tempRepo()
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    app.close()
    // As a backlog made before the driver existed: no attributes, no config.
    repo.git('rm', '-q', ATTRIBUTES_PATH)
    repo.git('commit', '-q', '-m', 'drop attributes')
    repo.git('config', '--unset', 'merge.backlog.driver')
    repo.git('config', '--unset', 'merge.backlog.name')
    repo.write('src/mine.ts', 'staged work\n')
    repo.git('add', 'src/mine.ts')

    // a new app installs the driver config by itself; doctor finds only the attributes missing
    const doctor = createApp({ cwd: repo.dir })
    const before = await doctor.doctor()
    expect(before.ok).toBe(false)
    expect(before.checks.find((check) => check.name === 'merge attributes')).toMatchObject({ ok: false })
    expect(before.checks.find((check) => check.name === 'merge driver')).toMatchObject({ ok: true })

    repo.git('config', 'merge.backlog.driver', '"/nowhere/node" "/nowhere/bin.js" merge-driver %O %A %B %L %P')
    const stale = await doctor.doctor()
    expect(stale.checks.find((check) => check.name === 'merge driver')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/cannot run here/),
    })

    const fixed = await doctor.doctor({ fix: true })
    expect(fixed.ok).toBe(true)
    expect(fixed.checks.filter((check) => check.fixed).map((check) => check.name)).toEqual([
      'merge attributes',
      'merge driver',
    ])
    expect(repo.git('show', '--name-only', '--format=%s', 'HEAD').trim().split('\n')).toEqual([
      'doctor: route task files to the merge driver',
      '',
      ATTRIBUTES_PATH,
    ])
    expect(repo.git('check-attr', 'merge', '.backlog/tasks/a/bl-x.md').trim()).toMatch(/merge: backlog$/)
    expect(repo.git('config', '--get', 'merge.backlog.driver')).toMatch(/git-backlog\.js" merge-driver/)
    // the person's staged file is still staged, and not in our commit
    expect(repo.git('status', '--porcelain')).toBe('A  src/mine.ts\n')
    // An attributes file that wins over ours: doctor asks git which one applies, not our file alone.
    repo.write('.git/info/attributes', '*.md merge=text\n')
    expect((await doctor.doctor()).checks.find((check) => check.name === 'merge attributes')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/git applies merge=text to task files.*\.git\/info\/attributes/),
    })
    expect(readFileSync(join(repo.dir, 'src/mine.ts'), 'utf8')).toBe('staged work\n')
    doctor.close()
  })

  it('moves items of an older layout to the one that merges line by line, all in one commit with fix', async () => {
    const repo = tempRepo()
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    app.close()
    // Items as versions before ADR 0018 wrote them, one with Windows line endings, one archived.
    const old = (id: string, title: string) =>
      `---\nid: ${id}\ntitle: ${title}\nstatus: open\npriority: medium\n---\n\nBody.\n`
    repo.write('.backlog/tasks/1/bl-old001.md', old('bl-old001', 'First'))
    repo.write('.backlog/tasks/2/bl-old002.md', old('bl-old002', 'Second').replaceAll('\n', '\r\n'))
    repo.write('.backlog/archive/3/bl-old003.md', old('bl-old003', 'Third'))
    repo.git('add', '-A')
    repo.git('commit', '-q', '-m', 'items of an older version')
    repo.write('src/mine.ts', 'staged work\n')
    repo.git('add', 'src/mine.ts')

    const doctor = createApp({ cwd: repo.dir })
    const before = await doctor.doctor()
    expect(before.checks.find((check) => check.name === 'item layout')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^3 item files not in the layout/),
    })
    const fixed = await doctor.doctor({ fix: true })
    expect(fixed.checks.find((check) => check.name === 'item layout')).toMatchObject({ ok: true, fixed: true })
    expect(repo.git('show', '--name-only', '--format=%s', 'HEAD').trim().split('\n')).toEqual([
      'doctor: move 3 item files to the layout that merges line by line',
      '',
      '.backlog/archive/3/bl-old003.md',
      '.backlog/tasks/1/bl-old001.md',
      '.backlog/tasks/2/bl-old002.md',
    ])
    // Nothing but the layout changed: the same items, the CRLF file still CRLF, and a second run has nothing to do.
    for (const id of ['bl-old001', 'bl-old002']) {
      const { items } = await doctor.get({ id: [id] })
      expect(items[0]).toMatchObject({ status: 'open', priority: 'medium', description: 'Body.\n' })
    }
    expect(repo.read('.backlog/tasks/2/bl-old002.md')).toMatch(/^---\r\nid: bl-old002\r\n\r\ntitle: Second\r\n/)
    expect(repo.read('.backlog/tasks/2/bl-old002.md').replaceAll('\r\n', '')).not.toContain('\n')
    expect((await doctor.doctor()).checks.find((check) => check.name === 'item layout')).toMatchObject({ ok: true })
    expect(repo.git('status', '--porcelain')).toBe('A  src/mine.ts\n')
    doctor.close()

    // Now two branches' edits to different fields of one item merge with git's line merge.
    repo.git('commit', '-q', '-m', 'mine')
    repo.write('.git/info/attributes', '*.md merge=text\n')
    repo.git('checkout', '-q', '-b', 'side')
    const side = createApp({ cwd: repo.dir })
    await side.update(updateInput.parse({ id: 'bl-old001', status: 'in_progress' }))
    side.close()
    repo.git('checkout', '-q', 'main')
    const main = createApp({ cwd: repo.dir })
    await main.update(updateInput.parse({ id: 'bl-old001', priority: 'high' }))
    main.close()
    repo.git('merge', '-q', '--no-edit', 'side')
    expect(parseItemFile(repo.read('.backlog/tasks/1/bl-old001.md'))).toMatchObject({
      status: 'in_progress',
      priority: 'high',
    })
  })
})
