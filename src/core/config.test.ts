import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG, parseConfig } from './config.js'

describe('parseConfig', () => {
  it('reads work-in-progress limits for known statuses, none by default', () => {
    expect(parseConfig('').wip_limits).toEqual({})
    expect(DEFAULT_CONFIG.wip_limits).toEqual({})
    expect(parseConfig('wip_limits:\n  in_progress: 3\n  blocked: 1\n').wip_limits).toEqual({
      in_progress: 3,
      blocked: 1,
    })
    expect(parseConfig('statuses: [todo, doing, done]\nwip_limits: { doing: 2 }\n').wip_limits).toEqual({ doing: 2 })
  })

  it('refuses a limit that names no status or is not a whole number of at least 1, naming the key', () => {
    for (const [text, words] of [
      ['wip_limits: { doing: 2 }\n', '"doing", which is not one of the statuses'],
      ['wip_limits: { in_progress: 0 }\n', 'whole number of at least 1'],
      ['wip_limits: { in_progress: 2.5 }\n', 'whole number of at least 1'],
      ['wip_limits: { in_progress: "3" }\n', 'whole number of at least 1'],
      ['wip_limits: [3]\n', 'must map statuses to numbers'],
    ] as const) {
      expect(() => parseConfig(text), text).toThrow(words)
    }
  })
})
