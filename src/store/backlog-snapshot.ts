/**
 * `.backlog/` as the working tree has it, read for the lint rules (core/lint.ts) without writing anything: no parse
 * cache, no settling of a killed writer's journal, no index refresh. Items are read by the read model, so lint sees
 * exactly the items, unreadable files and duplicates every other command sees.
 */

import { type Dirent, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeItemBytes } from '../core/file-bytes.js'
import { BACKLOG_DIR, CONFIG_PATH } from '../core/layout.js'
import type { BacklogSnapshot } from '../core/lint.js'
import { temporaryOwner } from './atomic-file.js'
import { unmergedBacklogFiles } from './git/unmerged.js'
import { createReadModel } from './read-model.js'
import type { Repo } from './repo.js'

/** Every file under `dir` (repository-relative), depth first; writers' temporary files are left to `doctor`. */
function walk(worktree: string, dir: string, into: string[]): string[] {
  let entries: Dirent[]
  try {
    entries = readdirSync(join(worktree, dir), { withFileTypes: true })
  } catch {
    return into
  }
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) walk(worktree, path, into)
    else if (temporaryOwner(entry.name) === undefined) into.push(path)
  }
  return into
}

function readText(worktree: string, path: string): string | undefined {
  try {
    return decodeItemBytes(readFileSync(join(worktree, ...path.split('/')))).text
  } catch {
    return undefined
  }
}

/**
 * Reads what the lint rules look at. Safe on a shallow clone, a detached merge ref and mid-merge: it reads the
 * working tree, and asks git only which files are unmerged (`git ls-files -u`, which writes nothing).
 *
 * @example
 * const findings = lintBacklog(await readBacklogSnapshot(repo))
 */
export async function readBacklogSnapshot(repo: Repo): Promise<BacklogSnapshot> {
  const { worktree } = repo
  const model = createReadModel({ worktree, watchFiles: false })
  try {
    await model.refresh()
    const texts = new Map<string, string>()
    const items = model.all().map(({ path, item, text }) => {
      texts.set(path, text)
      return { path, item }
    })
    const duplicates = model.duplicates()
    const copies = new Set(duplicates.flatMap(({ paths, kept }) => paths.filter((path) => path !== kept)))
    const unreadable = model.problems().filter((problem) => !copies.has(problem.path))
    for (const path of [...copies, ...unreadable.map((problem) => problem.path)]) {
      const text = readText(worktree, path)
      if (text !== undefined) texts.set(path, text)
    }
    return {
      files: walk(worktree, BACKLOG_DIR, []).sort(),
      configText: readText(worktree, CONFIG_PATH),
      texts,
      items,
      unreadable,
      duplicates,
      unmerged: new Set(unmergedBacklogFiles(repo).keys()),
    }
  } finally {
    model.close()
  }
}
