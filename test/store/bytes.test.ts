/**
 * Bytes nobody edited stay: a tool edit of an item written with CRLF endings, or holding bytes that are not UTF-8,
 * rewrites only the lines it changes; a move (archive) keeps the file whole; the merge driver keeps ours' bytes.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { git, tempRepo } from '../helpers/repo.js'

const crlf = (text: string) => text.replaceAll('\n', '\r\n')

describe('bytes nobody edited', () => {
  it('stay as they were when a tool edits an item written with CRLF endings or in another encoding', async () => {
    const repo = tempRepo()
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    const windows = '.backlog/tasks/1/bl-win001.md'
    const latin1 = '.backlog/tasks/2/bl-lat002.md'
    repo.write(
      windows,
      crlf('---\nid: bl-win001\ntitle: Written on Windows\nstatus: open\n---\n\nStep one\nStep two\n'),
    )
    mkdirSync(join(repo.dir, '.backlog/tasks/2'), { recursive: true })
    writeFileSync(
      join(repo.dir, latin1),
      Buffer.from('---\nid: bl-lat002\ntitle: Caf\xe9 menu\nstatus: open\n---\n\nCr\xe8me br\xfbl\xe9e\n', 'latin1'),
    )
    repo.git('add', '-A')
    repo.git('commit', '-qm', 'items written by other tools')

    await app.update({ id: ['bl-win001'], status: 'done', note: 'checked' })
    await app.update({ id: ['bl-lat002'], priority: 'high' })
    await app.writeBody({ id: 'bl-win001', operation: { type: 'append', new_str: 'Step three\n' } })

    const windowsNow = readFileSync(join(repo.dir, windows), 'latin1')
    expect(windowsNow.split('\r\n').length - 1).toBe(windowsNow.split('\n').length - 1) // every line CRLF
    // The first write moves the file to the layout (ADR 0018): lines added between, none of the old ones rewritten.
    expect(windowsNow).toMatch(
      /^---\r\nid: bl-win001\r\n\r\ntitle: Written on Windows\r\n\r\ntype: task\r\n\r\nstatus: done\r\n/,
    )
    expect(windowsNow).toMatch(/\r\n\r\nStep one\r\nStep two\r\nStep three\r\n$/)
    // The diff of the status change rewrites the status line only; the rest it adds (the note, the layout's lines).
    const statusCommit = repo.git('log', '--format=%H', '-1', '--grep=^done ').trim()
    const changed = repo
      .git('show', '--format=', statusCommit, '--', windows)
      .split('\n')
      .filter((line) => /^[-+][^-+]/.test(line))
    expect(changed.filter((line) => line.startsWith('-'))).toEqual(['-status: open\r'])
    expect(changed.some((line) => line.startsWith('+title'))).toBe(false)

    const latinNow = readFileSync(join(repo.dir, latin1))
    expect(latinNow.includes(Buffer.from('title: Caf\xe9 menu\n', 'latin1'))).toBe(true)
    expect(latinNow.includes(Buffer.from('Cr\xe8me br\xfbl\xe9e\n', 'latin1'))).toBe(true)
    expect(latinNow.includes(Buffer.from('priority: high\n'))).toBe(true)
    expect(repo.git('status', '--porcelain')).toBe('')

    // An archive moves the file whole: git sees a 100% rename.
    await app.archive({ id: ['bl-win001'] })
    app.close()
    expect(repo.git('show', '--format=', '-M', '--name-status', 'HEAD')).toMatch(/^R100\t/)
  })

  it('keep ours when the merge driver merges two CRLF versions', async () => {
    const repo = tempRepo()
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    app.close()
    const path = '.backlog/tasks/1/bl-mrg001.md'
    repo.write(path, crlf('---\nid: bl-mrg001\ntitle: Merge me\nstatus: open\n---\n\nBody\n'))
    repo.git('add', '-A')
    repo.git('commit', '-qm', 'crlf item')
    repo.git('checkout', '-qb', 'side')
    repo.write(path, crlf('---\nid: bl-mrg001\ntitle: Merge me\nstatus: open\npriority: high\n---\n\nBody\n'))
    repo.git('commit', '-qam', 'side: priority')
    repo.git('checkout', '-q', 'main')
    repo.write(path, crlf('---\nid: bl-mrg001\ntitle: Merge me, now\nstatus: open\n---\n\nBody\n'))
    repo.git('commit', '-qam', 'main: title')
    git(repo.dir, 'merge', '-q', '--no-edit', 'side')
    const merged = readFileSync(join(repo.dir, path), 'utf8')
    expect(merged).toBe(crlf('---\nid: bl-mrg001\ntitle: Merge me, now\nstatus: open\npriority: high\n---\n\nBody\n'))
  })
})
