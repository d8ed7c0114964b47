import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { tempRepo } from '../helpers/repo.js'

/** The first frame of `error`'s stack in a file under use-cases/: `at name (file:line:column)`. */
function useCaseFrame(error: unknown): string | undefined {
  const frames = ((error as Error).stack ?? '').split('\n').filter((line) => line.trim().startsWith('at '))
  return frames.find((line) => /use-cases[\\/]/.test(line))?.trim()
}

describe('use-cases you can jump to', () => {
  it('puts the use-case by its name and file in the stack of an error it throws', async () => {
    const app = createApp({ cwd: tempRepo().dir })
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['update', () => app.update({ id: ['bl-none'], status: 'done' })],
      ['writeBody', () => app.writeBody({ id: 'bl-none', operation: { type: 'append', new_str: 'x' } })],
      ['undo', () => app.undo({})],
      ['archive', () => app.archive({})],
    ]
    for (const [name, call] of cases) {
      const error = await call().then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
      expect(useCaseFrame(error), name).toMatch(new RegExp(`^at ${name} \\(.*use-cases[\\\\/]`))
    }
    app.close()
  })
})
