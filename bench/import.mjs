// Import benchmark: `git backlog import` of N items (default 10,000) from each kind of source, the built executable
// in a fresh repository each time, as a person would run it. Prints wall time, the commits it made (must be one) and
// whether `git status` is clean and `git fsck` quiet.
// Usage: npm run bench:import  (or: node bench/import.mjs 10000)

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BENCH_ENV, STATUSES, TAGS } from './common.mjs'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const BIN = join(root, 'dist', 'bin', 'git-backlog.js')
const count = Number(process.argv[2] ?? 10_000)

const pad = (n) => String(n).padStart(5, '0')
const day = (n) => `2026-0${1 + (n % 9)}-${String(1 + (n % 28)).padStart(2, '0')}T10:00:00Z`

/** beads' issues.jsonl: an epic every 100 issues, each issue blocked by the one before, a comment on every tenth. */
function beads(dir) {
  const beadsStatus = {
    open: 'open',
    in_progress: 'in_progress',
    blocked: 'blocked',
    done: 'closed',
    cancelled: 'closed',
  }
  const lines = []
  for (let i = 0; i < count; i++) {
    const epic = i % 100 === 0
    const issue = {
      id: `bd-${pad(i)}`,
      title: `Issue ${i}`,
      description: `What issue ${i} is about.\n\nSteps to reproduce.`,
      status: beadsStatus[STATUSES[i % STATUSES.length]],
      priority: i % 5,
      issue_type: epic ? 'epic' : 'task',
      labels: [TAGS[i % TAGS.length]],
      created_at: day(i),
      updated_at: day(i + 1),
      dependencies: [
        ...(epic
          ? []
          : [{ issue_id: `bd-${pad(i)}`, depends_on_id: `bd-${pad(i - (i % 100))}`, type: 'parent-child' }]),
        ...(i % 100 > 1 ? [{ issue_id: `bd-${pad(i)}`, depends_on_id: `bd-${pad(i - 1)}`, type: 'blocks' }] : []),
      ],
      comments: i % 10 === 0 ? [{ id: i, author: 'ann', text: `A comment on ${i}`, created_at: day(i) }] : [],
    }
    lines.push(JSON.stringify(issue))
  }
  const path = join(dir, 'issues.jsonl')
  writeFileSync(path, `${lines.join('\n')}\n`)
  return ['beads', path]
}

/** Backlog.md's folder: one file per task, a dependency on the one before. */
function backlogMd(dir) {
  const folder = join(dir, 'backlog')
  mkdirSync(join(folder, 'tasks'), { recursive: true })
  writeFileSync(join(folder, 'config.yml'), 'statuses: ["To Do", "In Progress", "Done"]\n')
  const names = ['To Do', 'In Progress', 'Done']
  for (let i = 1; i <= count; i++) {
    const deps = i > 1 && i % 100 !== 1 ? `\n  - task-${i - 1}` : ' []'
    writeFileSync(
      join(folder, 'tasks', `task-${i} - Task-${i}.md`),
      `---\nid: task-${i}\ntitle: Task ${i}\nstatus: ${names[i % 3]}\nassignee: []\ncreated_date: '2026-08-01 09:00'\nlabels:\n  - ${TAGS[i % TAGS.length]}\ndependencies:${deps}\n---\n\n## Description\n\n<!-- SECTION:DESCRIPTION:BEGIN -->\nTask ${i}.\n<!-- SECTION:DESCRIPTION:END -->\n`,
    )
  }
  return ['backlog.md', folder]
}

function run(label, make) {
  const dir = mkdtempSync(join(tmpdir(), `git-backlog-bench-import-${label}-`))
  try {
    const repo = join(dir, 'repo')
    mkdirSync(repo)
    const git = (...argv) => execFileSync('git', argv, { cwd: repo, env: BENCH_ENV, encoding: 'utf8' })
    git('init', '-q', '-b', 'main')
    writeFileSync(join(repo, 'README.md'), '# bench\n')
    git('add', '-A')
    git('commit', '-q', '-m', 'initial')
    const [source, path] = make(dir)
    const started = performance.now()
    const result = spawnSync(process.execPath, [BIN, 'import', source, path, '--json'], {
      cwd: repo,
      env: BENCH_ENV,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    })
    const seconds = (performance.now() - started) / 1000
    if (result.status !== 0) throw new Error(`${label}: exit ${result.status}\n${result.stderr}`)
    const imported = JSON.parse(result.stdout).imported
    const commits = Number(git('rev-list', '--count', 'HEAD').trim()) - 1
    const clean = git('status', '--porcelain') === ''
    const fsck = spawnSync('git', ['fsck', '--strict'], { cwd: repo, encoding: 'utf8' })
    console.log(
      `${label.padEnd(10)} ${imported} items in ${seconds.toFixed(2)} s, ${commits} commit(s), status ${clean ? 'clean' : 'DIRTY'}, fsck ${fsck.stdout + fsck.stderr === '' ? 'quiet' : 'NOT QUIET'}`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

console.log(`git backlog import of ${count} items (built bin, fresh repository each):`)
run('beads', beads)
run('backlog.md', backlogMd)
