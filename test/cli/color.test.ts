import { stripVTControlCharacters } from 'node:util'
import { describe, expect, it } from 'vitest'
import { runInProcess } from '../helpers/cli.js'
import { tempRepo } from '../helpers/repo.js'

const ESC = '\u001b['

async function backlog() {
  const repo = tempRepo()
  await runInProcess(repo.dir, ['init'])
  const added = await runInProcess(repo.dir, ['add', 'Fix the login flow', '-p', 'urgent', '--json'])
  const id = (JSON.parse(added.stdout) as { items: Array<{ id: string }> }).items[0]!.id
  await runInProcess(repo.dir, ['add', 'Write docs', '-p', 'low'])
  await runInProcess(repo.dir, ['start', id])
  return { repo, id }
}

describe('colour on the command line', () => {
  it('paints status and priority in list, show, search and board headers when FORCE_COLOR asks', async () => {
    const { repo, id } = await backlog()
    const force = { FORCE_COLOR: '1' }
    for (const args of [['list'], ['show', id], ['search', 'login'], ['board', '--width', '80']]) {
      const plain = await runInProcess(repo.dir, args)
      const painted = await runInProcess(repo.dir, args, force)
      expect(plain.stdout, args.join(' ')).not.toContain(ESC)
      expect(painted.stdout, args.join(' ')).toContain(ESC)
      // Colour changes nothing else: same text, same alignment.
      expect(stripVTControlCharacters(painted.stdout), args.join(' ')).toBe(plain.stdout)
    }
    const list = (await runInProcess(repo.dir, ['list'], force)).stdout
    expect(list).toContain(`${ESC}33min_progress${ESC}39m`)
    expect(list).toContain(`${ESC}1;31murgent${ESC}22;39m`)
    expect(list).toContain(`${ESC}2mlow${ESC}22m`)
    const show = (await runInProcess(repo.dir, ['show', id], force)).stdout
    expect(show).toContain(`Status:     ${ESC}33min_progress${ESC}39m`)
    expect(show).toContain(`Priority:   ${ESC}1;31murgent${ESC}22;39m`)
    const board = (await runInProcess(repo.dir, ['board', '--width', '80'], force)).stdout
    expect(board).toContain(`${ESC}1m${ESC}33mIN_PROGRESS (1)${ESC}39m${ESC}22m`)
    expect(board).toContain(`${ESC}1;31m!!${ESC}22;39m ${id} Fix the login flow`)
  })

  it('is on at a terminal unless NO_COLOR or FORCE_COLOR=0 says no, and never in JSON or errors', async () => {
    const { repo } = await backlog()
    const tty = { isTTY: true }
    expect((await runInProcess(repo.dir, ['list'], {}, tty)).stdout).toContain(ESC)
    expect((await runInProcess(repo.dir, ['list'], { NO_COLOR: '1' }, tty)).stdout).not.toContain(ESC)
    expect((await runInProcess(repo.dir, ['list'], { NO_COLOR: '1', FORCE_COLOR: '1' })).stdout).not.toContain(ESC)
    expect((await runInProcess(repo.dir, ['list'], { FORCE_COLOR: '0' }, tty)).stdout).not.toContain(ESC)
    expect((await runInProcess(repo.dir, ['list'], { TERM: 'dumb' }, tty)).stdout).not.toContain(ESC)
    const json = await runInProcess(repo.dir, ['list', '--json'], { FORCE_COLOR: '1' }, tty)
    expect(json.stdout).not.toContain(ESC)
    expect(JSON.parse(json.stdout)).toMatchObject({ total: 2 })
    const failed = await runInProcess(repo.dir, ['show', 'bl-nothere'], { FORCE_COLOR: '1' }, tty)
    expect(failed.stderr).toBe('error: No item bl-nothere. Run `git backlog list` to see ids.\n')
  })
})
