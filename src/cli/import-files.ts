/** The files of a peer's backlog, read from the path a person names (or standard input) for `git backlog import`. */

import { type Dirent, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { BacklogError } from '../core/errors.js'
import type { ImportSource, SourceFile } from '../import/index.js'

function cannotRead(path: string, error: unknown): BacklogError {
  return new BacklogError(
    'INVALID_INPUT',
    `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Nothing was written.`,
  )
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

function entriesOf(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
  } catch (error) {
    throw cannotRead(dir, error)
  }
}

/** Files under `dir` whose names end in one of `endings`, paths relative to `root`; dot folders and node_modules skipped. */
function walk(root: string, dir: string, endings: readonly string[], deep: boolean, into: SourceFile[]): void {
  for (const entry of entriesOf(dir).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (deep && !entry.name.startsWith('.') && entry.name !== 'node_modules') walk(root, path, endings, deep, into)
    } else if (entry.isFile() && endings.some((ending) => entry.name.endsWith(ending))) {
      into.push({ path: relative(root, path).split(sep).join('/'), text: readText(path) })
    }
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw cannotRead(path, error)
  }
}

/** Backlog.md's folder: the one named, or `backlog/` inside it. */
function backlogMdFiles(dir: string): SourceFile[] {
  const root = [dir, join(dir, 'backlog')].find(
    (candidate) => isDirectory(join(candidate, 'tasks')) || isFile(join(candidate, 'config.yml')),
  )
  if (!root) {
    throw new BacklogError(
      'INVALID_INPUT',
      `${dir} holds no Backlog.md folder (tasks/ or config.yml, here or in backlog/): name the folder Backlog.md keeps its tasks in. Nothing was written.`,
    )
  }
  const files: SourceFile[] = []
  if (isFile(join(root, 'config.yml'))) files.push({ path: 'config.yml', text: readText(join(root, 'config.yml')) })
  for (const folder of ['milestones', 'tasks', 'drafts', 'completed', join('archive', 'tasks'), 'docs', 'decisions']) {
    if (isDirectory(join(root, folder))) walk(root, join(root, folder), ['.md'], false, files)
  }
  return files
}

/** beads' issues.jsonl: the file named, or the one in the folder named (or in its `.beads/`). */
function beadsFile(dir: string): SourceFile[] {
  const found = [join(dir, 'issues.jsonl'), join(dir, '.beads', 'issues.jsonl')].find(isFile)
  if (!found) {
    throw new BacklogError(
      'INVALID_INPUT',
      `${dir} holds no issues.jsonl (nor .beads/issues.jsonl): name beads' file or its folder. Nothing was written.`,
    )
  }
  return [{ path: relative(dir, found).split(sep).join('/'), text: readText(found) }]
}

/**
 * The files of a source at `path`, relative to the working folder `cwd`; `-` reads standard input for a source that
 * is one file.
 *
 * @example
 * await readImportFiles(importSource('beads'), '.beads', cwd, cli.stdin)
 */
export async function readImportFiles(
  source: ImportSource,
  path: string,
  cwd: string,
  stdin: (flag: string) => Promise<string>,
): Promise<SourceFile[]> {
  if (path === '-') {
    if (source.form === 'folder') {
      throw new BacklogError('INVALID_INPUT', `${source.name} is a folder of files: name the folder, not -`)
    }
    return [{ path: '-', text: await stdin('<path> -') }]
  }
  const full = resolve(cwd, path)
  if (isFile(full)) return [{ path, text: readText(full) }]
  if (!isDirectory(full)) throw cannotRead(path, Object.assign(new Error('no such file or folder'), { code: 'ENOENT' }))
  switch (source.name) {
    case 'backlog.md':
      return backlogMdFiles(full)
    case 'beads':
      return beadsFile(full)
    case 'backlog-mcp': {
      const files: SourceFile[] = []
      walk(full, full, ['.md'], true, files)
      return files
    }
    case 'backloghq': {
      // The export, and any archive segments (archive/archive-2026-Q1.json) beside it.
      const files: SourceFile[] = []
      walk(full, full, ['.json'], false, files)
      if (isDirectory(join(full, 'archive'))) walk(full, join(full, 'archive'), ['.json'], false, files)
      if (files.length) return files
      break
    }
  }
  throw new BacklogError(
    'INVALID_INPUT',
    `${path} is a folder: ${source.name} is read from one file (${source.about}), or - for standard input. Nothing was written.`,
  )
}
