/**
 * The GitHub Actions workflow in templates/github/backlog.yml, run as GitHub would run it: its own `run` steps, read
 * from the file, in bash with the workflow's environment, in a one-commit-deep checkout of a pull request's merge ref
 * (what actions/checkout makes), against a real base and head. The built bin stands in for the install step, and a
 * stand-in `gh` on the PATH records the calls to GitHub's API and answers the comment list.
 */

import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { createApp } from '../../src/app/index.js'
import { createInput, updateInput } from '../../src/core/inputs.js'
import { runInProcess } from '../helpers/cli.js'
import { BIN, GIT_ENV, git, type TempRepo, tempRepo } from '../helpers/repo.js'

const WORKFLOW = join(import.meta.dirname, '..', '..', 'templates', 'github', 'backlog.yml')

interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  if?: string
  shell?: string
  env?: Record<string, string>
}

interface Workflow {
  defaults?: { run?: { shell?: string } }
  jobs: Record<string, { steps: Step[]; env?: Record<string, string> }>
}

/** The values of the expressions the workflow's steps use; any other expression fails the test. */
const EXPRESSIONS: Record<string, string> = {
  'github.event.pull_request.number': '7',
  'github.token': 'test-token',
  'github.repository': 'acme/app',
  'github.base_ref': 'main',
  'github.head_ref': 'feature',
}

/** What GitHub runs a `run` step with, by its `shell` (docs: "Default shell"); none named is `bash -e {0}`. */
const SHELLS: Record<string, string[]> = {
  bash: ['--noprofile', '--norc', '-eo', 'pipefail'],
  '': ['-e'],
}

/** Where the job is: whether it is a fork's pull request, and each step's outcome so far. */
interface JobState {
  fork: boolean
  outcomes: Record<string, 'success' | 'failure' | 'skipped'>
}

/** The `if:` conditions the workflow uses, as GitHub evaluates them; any other condition fails the test. */
const CONDITIONS: Record<string, (state: JobState) => boolean> = {
  "!cancelled() && steps.install.outcome == 'success'": (state) => state.outcomes.install === 'success',
  "!cancelled() && steps.review.outcome == 'success' && !github.event.pull_request.head.repo.fork": (state) =>
    state.outcomes.review === 'success' && !state.fork,
}

function workflow(): Workflow {
  return parse(readFileSync(WORKFLOW, 'utf8')) as Workflow
}

/** Whether a step runs: with no `if:`, only while every step before it succeeded (GitHub's `success()`). */
function runsNow(step: Step, state: JobState): boolean {
  if (step.if === undefined) return Object.values(state.outcomes).every((outcome) => outcome !== 'failure')
  const condition = step.if.replace(/^\$\{\{\s*|\s*\}\}$/g, '')
  const evaluate = CONDITIONS[condition]
  if (!evaluate) throw new Error(`the test does not know the condition ${condition}`)
  return evaluate(state)
}

function evaluate(value: string): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_all, expression: string) => {
    const known = EXPRESSIONS[expression]
    if (known === undefined) throw new Error(`the test does not know the expression ${expression}`)
    return known
  })
}

/**
 * A folder for the PATH: `git-backlog` (the built bin, so `git backlog` works) and a `gh` that logs each call and
 * answers `gh api .../comments` with the comments in `comments.json` (as the workflow's --jq would filter them).
 */
function toolbox(dir: string): { bin: string; log: string; comments: string } {
  const bin = join(dir, 'bin')
  mkdirSync(bin, { recursive: true })
  const log = join(dir, 'gh.log')
  const comments = join(dir, 'comments.json')
  writeFileSync(comments, '[]')
  writeFileSync(join(bin, 'git-backlog'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`)
  writeFileSync(
    join(bin, 'gh'),
    `#!/usr/bin/env node
const { appendFileSync, readFileSync } = require('node:fs')
const args = process.argv.slice(2)
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, token: process.env.GH_TOKEN }) + '\\n')
const body = args.find((arg) => arg.startsWith('body=@'))
if (body) appendFileSync(${JSON.stringify(log)}, JSON.stringify({ body: readFileSync(body.slice(6), 'utf8') }) + '\\n')
// The comment list, filtered as the workflow's --jq asks: the bot's own comment with the marker.
if (args[0] === 'api' && !args.includes('-X') && !body) {
  for (const comment of JSON.parse(readFileSync(${JSON.stringify(comments)}, 'utf8')))
    if (comment.user.login === 'github-actions[bot]' && comment.body.startsWith('<!-- git-backlog review -->'))
      console.log(comment.id)
}
`,
  )
  for (const name of ['git-backlog', 'gh']) chmodSync(join(bin, name), 0o755)
  return { bin, log, comments }
}

/**
 * Runs the workflow's `run` steps as GitHub runs them: each step's `if:`, its shell, the job's and the step's
 * environment. The install step is skipped, as succeeded: the toolbox stands in for it.
 */
function runWorkflow(checkout: string, box: ReturnType<typeof toolbox>, temp: string, fork = false) {
  const summary = join(temp, 'summary.md')
  const { defaults, jobs } = workflow()
  const job = Object.values(jobs)[0]!
  const state: JobState = { fork, outcomes: {} }
  const outcomes: Record<string, { status: number | null; stdout: string; stderr: string }> = {}
  for (const step of job.steps) {
    const key = step.id ?? step.name ?? step.run ?? ''
    if (!step.run || step.id === 'install') {
      state.outcomes[key] = 'success'
      continue
    }
    if (!runsNow(step, state)) {
      state.outcomes[key] = 'skipped'
      continue
    }
    const shell = step.shell ?? defaults?.run?.shell ?? ''
    const flags = SHELLS[shell]
    if (!flags) throw new Error(`the test does not know the shell ${shell}`)
    const env = Object.fromEntries(
      Object.entries({ ...job.env, ...step.env }).map(([name, value]) => [name, evaluate(String(value))]),
    )
    const ran = spawnSync('bash', [...flags, '-c', step.run], {
      cwd: checkout,
      env: {
        ...process.env,
        ...GIT_ENV,
        ...env,
        PATH: `${box.bin}:${process.env.PATH}`,
        RUNNER_TEMP: temp,
        GITHUB_STEP_SUMMARY: summary,
      },
      encoding: 'utf8',
    })
    outcomes[step.name ?? key] = { status: ran.status, stdout: ran.stdout, stderr: ran.stderr }
    state.outcomes[key] = ran.status === 0 ? 'success' : 'failure'
  }
  return { outcomes, summary }
}

/** A repository with a backlog on main, a pull request's branch that changed it, and main moved on meanwhile. */
async function pullRequest(): Promise<{ origin: TempRepo; ids: Record<string, string> }> {
  const origin = tempRepo()
  const as = (agent: string) => createApp({ cwd: origin.dir, agent: () => agent })
  const setup = as('setup')
  await setup.init({})
  const login = (await setup.create(createInput.parse({ title: 'Fix the login flow', priority: 'high' }))).items[0]!.id
  const docs = (await setup.create(createInput.parse({ title: 'Document the API' }))).items[0]!.id
  setup.close()

  origin.git('checkout', '-q', '-b', 'feature')
  const claude = as('claude')
  await claude.update(updateInput.parse({ id: login, status: 'in_progress' }))
  await claude.update(updateInput.parse({ id: login, status: 'done', add_evidence: ['test/login.test.ts passes'] }))
  const follow = (await claude.create(createInput.parse({ title: 'Rotate the session keys', parent: login }))).items[0]!
    .id
  claude.close()

  origin.git('checkout', '-q', 'main')
  const ann = as('ann')
  await ann.update(updateInput.parse({ id: docs, assignee: 'ann' }))
  await ann.update(updateInput.parse({ id: login, due: '2027-01-15' }))
  ann.close()

  // The merge ref GitHub keeps for pull request 7: the head merged into the base.
  origin.git('checkout', '-q', '--detach', 'main')
  origin.git('merge', '-q', '--no-ff', '--no-edit', 'feature')
  origin.git('update-ref', 'refs/pull/7/merge', origin.git('rev-parse', 'HEAD').trim())
  origin.git('update-ref', 'refs/pull/7/head', origin.git('rev-parse', 'feature').trim())
  origin.git('checkout', '-q', 'main')
  return { origin, ids: { login, docs, follow } }
}

/** What actions/checkout does for a pull request: the merge ref, fetched one commit deep, checked out detached. */
function checkoutMergeRef(origin: TempRepo): string {
  const runner = tempRepo({}, { commit: false })
  const dir = join(runner.dir, 'work')
  mkdirSync(dir)
  git(dir, 'init', '-q')
  git(dir, 'remote', 'add', 'origin', `file://${origin.dir}`)
  git(dir, 'fetch', '-q', '--no-tags', '--depth=1', 'origin', '+refs/pull/7/merge:refs/remotes/pull/7/merge')
  git(dir, 'checkout', '-q', '--detach', 'refs/remotes/pull/7/merge')
  expect(git(dir, 'rev-parse', '--is-shallow-repository').trim()).toBe('true')
  return dir
}

describe('the GitHub Actions workflow of templates/github/backlog.yml', () => {
  it('is what `git backlog workflow` prints, to save in .github/workflows/', async () => {
    const repo = tempRepo()
    const printed = await runInProcess(repo.dir, ['workflow'])
    expect(printed).toEqual({ code: 0, stdout: readFileSync(WORKFLOW, 'utf8'), stderr: '' })
  })

  it('lints, reviews the pull request in a shallow checkout of its merge ref, and posts one comment it then updates', async () => {
    const { origin, ids } = await pullRequest()
    const checkout = checkoutMergeRef(origin)
    const box = toolbox(tempRepo({}, { commit: false }).dir)
    const temp = tempRepo({}, { commit: false }).dir

    const first = runWorkflow(checkout, box, temp)
    for (const [name, outcome] of Object.entries(first.outcomes))
      expect(outcome.status, `${name}: ${outcome.stderr}`).toBe(0)
    const review = readFileSync(join(temp, 'backlog-review.md'), 'utf8')
    expect(review.startsWith('<!-- git-backlog review -->\n### Backlog changes: ')).toBe(true)
    // The two sides by their branch names: what merging feature into main does.
    expect(review).toMatch(/\nmain \([0-9a-f]{7}\) → feature \([0-9a-f]{7}\), from their merge base/)
    // What the pull request did, and who did it; main's own changes meanwhile are not the pull request's.
    expect(review).toContain(`\`${ids.login}\` Fix the login flow`)
    expect(review).toMatch(/\*\*closed\*\*: open → done, by claude/)
    expect(review).toContain('test/login.test.ts passes')
    expect(review).toContain(`\`${ids.follow}\` Rotate the session keys`)
    expect(review).not.toContain(ids.docs)
    expect(review).not.toContain('2027-01-15')
    expect(readFileSync(first.summary, 'utf8')).toBe(review)

    const calls = () =>
      readFileSync(box.log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { args?: string[]; token?: string; body?: string })
    const posted = calls()
    expect(posted.map((call) => call.args?.slice(0, 3))).toEqual([
      ['api', 'repos/acme/app/issues/7/comments', '--paginate'],
      ['api', 'repos/acme/app/issues/7/comments', '-F'],
      undefined,
    ])
    expect(posted[1]?.token).toBe('test-token')
    expect(posted[2]?.body).toBe(review)

    // The next push: the comment the first run posted is updated, not posted again.
    writeFileSync(
      box.comments,
      JSON.stringify([
        { id: 99, user: { login: 'ann' }, body: 'LGTM' },
        // A comment someone else made that starts with the marker: not the workflow's own, so not updated.
        { id: 98, user: { login: 'mallory' }, body: review },
        { id: 42, user: { login: 'github-actions[bot]' }, body: review },
      ]),
    )
    writeFileSync(box.log, '')
    const second = runWorkflow(checkout, box, temp)
    for (const [name, outcome] of Object.entries(second.outcomes))
      expect(outcome.status, `${name}: ${outcome.stderr}`).toBe(0)
    expect(calls().map((call) => call.args?.slice(0, 4))).toEqual([
      ['api', 'repos/acme/app/issues/7/comments', '--paginate', '--jq'],
      ['api', '-X', 'PATCH', 'repos/acme/app/issues/comments/42'],
      undefined,
    ])
    // The comment list cannot be read (GitHub's API failing): the step fails rather than post a second comment.
    writeFileSync(box.comments, 'not the JSON of a comment list')
    writeFileSync(box.log, '')
    const third = runWorkflow(checkout, box, temp)
    expect(third.outcomes['Post or update the review comment']?.status).not.toBe(0)
    expect(calls().map((call) => call.args?.[1])).toEqual(['repos/acme/app/issues/7/comments'])
    // Nothing the workflow ran wrote to the checkout.
    expect(git(checkout, 'status', '--porcelain')).toBe('')
  }, 60_000)

  it('fails the check on a pull request that breaks the backlog, with an annotation on the line', async () => {
    const { origin, ids } = await pullRequest()
    const path = `.backlog/tasks/${ids.docs!.slice(-1)}/${ids.docs}.md`
    origin.git('checkout', '-q', 'feature')
    origin.write(path, origin.read(path).replace('status: open', 'status: doing'))
    origin.git('commit', '-qam', 'a hand edit that breaks the item')
    origin.git('checkout', '-q', '--detach', 'main')
    origin.git('merge', '-q', '--no-ff', '--no-edit', 'feature')
    origin.git('update-ref', 'refs/pull/7/merge', origin.git('rev-parse', 'HEAD').trim())
    const checkout = checkoutMergeRef(origin)
    const box = toolbox(tempRepo({}, { commit: false }).dir)
    const temp = tempRepo({}, { commit: false }).dir

    const { outcomes } = runWorkflow(checkout, box, temp)
    const lint = outcomes['Lint the backlog']!
    expect(lint.status).toBe(1)
    const line = git(checkout, 'show', `HEAD:${path}`).split('\n').indexOf('status: doing') + 1
    expect(line).toBeGreaterThan(0)
    expect(lint.stdout).toContain(`::error file=${path},line=${line},title=schema::status "doing" is not one of`)
    // The review still runs and is posted: the reviewer sees what changed as well as what broke.
    expect(outcomes['Review the backlog changes']?.status).toBe(0)
    expect(outcomes['Post or update the review comment']?.status).toBe(0)
  }, 60_000)

  it("lints and reviews a fork's pull request, but posts no comment with its read-only token", async () => {
    const { origin } = await pullRequest()
    const checkout = checkoutMergeRef(origin)
    const box = toolbox(tempRepo({}, { commit: false }).dir)
    const temp = tempRepo({}, { commit: false }).dir
    const { outcomes } = runWorkflow(checkout, box, temp, true)
    expect(Object.keys(outcomes)).toEqual(['Lint the backlog', 'Review the backlog changes'])
    for (const outcome of Object.values(outcomes)) expect(outcome.status).toBe(0)
    expect(existsSync(box.log)).toBe(false)
  }, 60_000)
})
