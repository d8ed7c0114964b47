import { describe, expect, it } from 'vitest'
import { colorWanted, createStyle, PLAIN, padVisible } from './color.js'

describe('colour', () => {
  it('is on at a terminal, off in a pipe, never with NO_COLOR, and FORCE_COLOR decides when set', () => {
    const cases: Array<[NodeJS.ProcessEnv, boolean, boolean]> = [
      [{}, true, true],
      [{}, false, false],
      [{ TERM: 'dumb' }, true, false],
      [{ NO_COLOR: '1' }, true, false],
      [{ NO_COLOR: '' }, true, true],
      [{ NO_COLOR: '1', FORCE_COLOR: '1' }, false, false],
      [{ FORCE_COLOR: '1' }, false, true],
      [{ FORCE_COLOR: 'true' }, false, true],
      [{ FORCE_COLOR: '2' }, false, true],
      [{ FORCE_COLOR: '3' }, false, true],
      [{ FORCE_COLOR: '' }, false, true],
      [{ FORCE_COLOR: '0' }, true, false],
      [{ FORCE_COLOR: 'false' }, true, false],
      [{ FORCE_COLOR: 'maybe' }, false, false],
      [{ FORCE_COLOR: '1', TERM: 'dumb' }, false, true],
    ]
    for (const [env, isTTY, expected] of cases)
      expect(colorWanted(env, isTTY), JSON.stringify({ env, isTTY })).toBe(expected)
  })

  it('paints the default statuses and priorities, leaves others plain, and pads by what is visible', () => {
    const style = createStyle(true)
    expect(style.status('done')).toBe('\u001b[32mdone\u001b[39m')
    expect(style.status('BLOCKED', '⊘')).toBe('\u001b[31m⊘\u001b[39m')
    expect(style.status('review')).toBe('review')
    expect(style.priority('urgent', '!!')).toBe('\u001b[1;31m!!\u001b[22;39m')
    expect(style.priority('medium')).toBe('medium')
    expect(style.priority(undefined)).toBe('')
    expect(padVisible(style.status('open'), 6)).toBe('\u001b[36mopen\u001b[39m  ')
    expect(createStyle(false)).toBe(PLAIN)
    expect(PLAIN.status('done')).toBe('done')
  })
})
