/**
 * The backlog in two states of the repository, for a review: the item files that differ between the merge base of a
 * base and a head (or, in a shallow clone without one, the base itself) and the head, or the working tree; and the
 * backlog commits between, with who made each. What the differences mean is core/review.ts's to say.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseItemFile } from '../core/codec.js'
import { BacklogError, isBacklogError } from '../core/errors.js'
import { decodeItemBytes } from '../core/file-bytes.js'
import { idKey } from '../core/ids.js'
import { ARCHIVE_DIR, BACKLOG_DIR, idFromPath, itemPath, TASKS_DIR } from '../core/layout.js'
import type { LostInMerge, ReviewCommit, ReviewSide, ReviewSource, ReviewVersions } from '../core/review.js'
import { parseTrailers } from '../core/trailers.js'
import { runGit } from './git/cli.js'
import { diffTrees } from './git/read.js'
import type { GitReader } from './git/reader.js'
import { defaultBase, mergeBase, resolveRevision, worktreeChanges } from './git/revisions.js'
import { byPath, type ItemHistory, isItemPath } from './item-history.js'
import type { Repo } from './repo.js'

/** Which states to compare: see `parseRange` in core/review.ts. */
export interface RangeSpec {
  /** The base revision; absent: the upstream, else the remote's default branch, else main or master. */
  base?: string
  /** The head revision; absent: HEAD. */
  head?: string
  /** Count the working tree's uncommitted changes under `.backlog/` as part of head (head must be HEAD). */
  worktree: boolean
}

function resolve(repo: Repo, name: string, side: 'base' | 'head'): string {
  const oid = resolveRevision(repo, name)
  if (oid) return oid
  throw new BacklogError(
    'NOT_FOUND',
    `${side}: "${name}" names no commit in this repository. Name a branch, tag or commit (\`git branch -a\` lists branches); in a shallow clone, fetch more history first (\`git fetch --deepen=100\`, or the branch: \`git fetch origin main\`).`,
    { revision: name },
  )
}

/** A commit's `.backlog` tree; null when it has none. */
async function backlogTree(reader: GitReader, commit: string): Promise<string | null> {
  return (await reader.treeAt((await reader.commit(commit)).tree, BACKLOG_DIR)) ?? null
}

/** The item files (tasks and archive) that differ between two `.backlog` trees. */
async function changedItemPaths(reader: GitReader, from: string | null, to: string | null): Promise<Set<string>> {
  const paths = new Set<string>()
  const holdsItems = (path: string) => path === TASKS_DIR || path === ARCHIVE_DIR || path.split('/').length > 2
  await diffTrees(reader.tree, from, to, BACKLOG_DIR, holdsItems, (path) => {
    if (isItemPath(path)) paths.add(path)
  })
  return paths
}

/** The blob at a repository path (`.backlog/…`) of a `.backlog` tree, if there is one. */
async function blobIn(reader: GitReader, tree: string | null, path: string): Promise<string | undefined> {
  return tree ? reader.blobAt(tree, path.slice(BACKLOG_DIR.length + 1)) : undefined
}

/** A file's version as a review reads it: the item, or why it cannot be read (never thrown: it is reported). */
function parseSide(path: string, text: string): ReviewSide {
  try {
    return { path, item: parseItemFile(text, idFromPath(path)) }
  } catch (error) {
    if (!isBacklogError(error)) throw error
    return { path, error: error.message }
  }
}

/**
 * Reads the two states a range names and what lies between them.
 *
 * @example
 * const source = await readBacklogRange(repo, reader, itemHistory, { base: 'main', head: 'feature', worktree: false })
 * source.items // [{ id: 'bl-k3m9x2', before: { path, item }, after: { path, item } }, …]
 */
export async function readBacklogRange(
  repo: Repo,
  reader: GitReader,
  itemHistory: ItemHistory,
  spec: RangeSpec,
): Promise<ReviewSource> {
  const baseName = spec.base ?? defaultBase(repo)
  if (baseName === undefined) {
    throw new BacklogError(
      'NOT_FOUND',
      'Nothing to compare with: this branch has no upstream, and there is no origin/HEAD, main or master. Name the base, e.g. `git backlog review develop..HEAD`.',
    )
  }
  const headName = spec.head ?? 'HEAD'
  const base = resolve(repo, baseName, 'base')
  const head = resolve(repo, headName, 'head')
  const found = mergeBase(repo, base, head)
  const compared = found ?? base
  const commits = found ? await commitsBetween(reader, itemHistory, found, head) : undefined

  const comparedTree = await backlogTree(reader, compared)
  const headTree = await backlogTree(reader, head)
  const paths = await changedItemPaths(reader, comparedTree, headTree)
  const uncommitted = new Set(spec.worktree ? worktreeChanges(repo, BACKLOG_DIR).filter(isItemPath) : [])
  for (const path of uncommitted) paths.add(path)

  const textIn = async (tree: string | null, path: string): Promise<string | undefined> => {
    const blob = await blobIn(reader, tree, path)
    return blob === undefined ? undefined : decodeItemBytes(await reader.blob(blob)).text
  }
  const textNow = (path: string): string | undefined => {
    try {
      return decodeItemBytes(readFileSync(join(repo.worktree, ...path.split('/')))).text
    } catch {
      return undefined
    }
  }

  const groups = new Map<string, { id: string; before: ReviewSide[]; after: ReviewSide[]; uncommitted: boolean }>()
  for (const path of [...paths].sort()) {
    const id = idFromPath(path) as string
    const group = groups.get(idKey(id)) ?? { id, before: [], after: [], uncommitted: false }
    groups.set(idKey(id), group)
    const before = await textIn(comparedTree, path)
    const after = spec.worktree ? textNow(path) : await textIn(headTree, path)
    if (before === after) continue
    if (before !== undefined) group.before.push(parseSide(path, before))
    if (after !== undefined) group.after.push(parseSide(path, after))
    if (uncommitted.has(path)) group.uncommitted = true
  }
  const items: ReviewVersions[] = []
  for (const group of groups.values()) {
    const before = group.before.sort(byPath)[0]
    const after = group.after.sort(byPath)[0]
    if (!before && !after) continue
    items.push({
      id: group.id,
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
      ...(group.uncommitted ? { uncommitted: true } : {}),
    })
  }
  const lost = await lostInMerge(repo, reader, head)
  return {
    base: { name: baseName, commit: base },
    head: { name: spec.worktree ? `${headName} + working tree` : headName, commit: head },
    compared,
    merge_base: found !== undefined,
    worktree: spec.worktree,
    ...(commits ? { commits } : {}),
    items,
    ...(lost.length ? { lost } : {}),
  }
}

/**
 * When `head` is a merge: the items it left out though one parent's side changed them and the other's deleted them.
 * git took each for a move to an item the deleting side added (docs/adr/0021-items-git-takes-for-a-move.md); a merge
 * through the driver stops there, a hosting service's merge button does not. Empty unless both parents and their
 * merge base are in this clone.
 */
async function lostInMerge(repo: Repo, reader: GitReader, head: string): Promise<LostInMerge[]> {
  const parents = await reader.parents(head)
  if (parents.length !== 2) return []
  const [one, two] = parents as [string, string]
  const base = mergeBase(repo, one, two)
  if (!base) return []
  const trees = await Promise.all([base, one, two, head].map((commit) => backlogTree(reader, commit)))
  const [baseTree, oneTree, twoTree, headTree] = trees as [string | null, string | null, string | null, string | null]
  const onTwo = await changedItemPaths(reader, baseTree, twoTree)
  const lost: Array<LostInMerge & { path: string }> = []
  for (const path of await changedItemPaths(reader, baseTree, oneTree)) {
    if (!onTwo.has(path)) continue
    const [inOne, inTwo, inHead] = await Promise.all(
      [oneTree, twoTree, headTree].map((tree) => blobIn(reader, tree, path)),
    )
    const kept = inOne ?? inTwo
    // changed on one side (it differs from the base there: it is in both diffs), deleted on the other, gone after
    if (inHead !== undefined || kept === undefined || (inOne !== undefined && inTwo !== undefined)) continue
    // an item the merge moved with its change (into the archive, or out of it) is not lost
    const id = idFromPath(path) as string
    const elsewhere = await Promise.all(
      [itemPath(id), itemPath(id, ARCHIVE_DIR)].map((other) => blobIn(reader, headTree, other)),
    )
    if (elsewhere.some((blob) => blob !== undefined)) continue
    const side = parseSide(path, decodeItemBytes(await reader.blob(kept)).text)
    lost.push({ path, id, title: side.item?.title ?? '' })
  }
  if (lost.length === 0) return []
  // what git paired each with: its own diff of the merge, with renames
  const moved = new Map<string, string>()
  const diff = runGit(repo, ['diff', '--name-status', '-z', '-M', '--diff-filter=R', base, head, '--', BACKLOG_DIR])
  // each rename: R<score>, the old path, the new path
  const fields = diff.stdout.split('\0')
  for (let at = 0; at + 2 < fields.length; at += 3) moved.set(fields[at + 1] as string, fields[at + 2] as string)
  return lost.map(({ path, ...item }) => {
    const into = moved.get(path)
    const id = into === undefined ? undefined : idFromPath(into)
    return id === undefined ? item : { ...item, into: id }
  })
}

/**
 * The commits from `since` (left out) to `head` that changed `.backlog/`, oldest first, with the field changes of each
 * item they changed; undefined when part of that history is not in this clone (a shallow clone's edge lies between).
 * A merge brings changes already listed under the commits it merged: it is left out.
 */
async function commitsBetween(
  reader: GitReader,
  itemHistory: ItemHistory,
  since: string,
  head: string,
): Promise<ReviewCommit[] | undefined> {
  const commits: ReviewCommit[] = []
  const shallow = reader.shallow()
  for await (const logged of reader.log({ from: head, since, paths: [BACKLOG_DIR] })) {
    if (shallow.has(logged.oid)) return undefined
    if (logged.parents.length > 1) continue
    const agent = parseTrailers(logged.message)?.agent
    const items = await itemHistory.itemsOf(logged.oid)
    if (items.length === 0) continue
    commits.push({ commit: logged.oid, by: agent || logged.author, items })
  }
  return commits.reverse()
}
