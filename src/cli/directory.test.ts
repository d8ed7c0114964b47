import { describe, expect, it } from 'vitest'
import { takeDirectory } from './directory.js'

describe('takeDirectory', () => {
  it('takes leading -C options as git does: joined, attached, absolute paths starting over', () => {
    expect(takeDirectory(['-C', 'repo', 'list'], '/src')).toEqual({ cwd: '/src/repo', args: ['list'] })
    expect(takeDirectory(['-C', 'a', '-C', 'b', 'ls'], '/src')).toEqual({ cwd: '/src/a/b', args: ['ls'] })
    expect(takeDirectory(['-C/repo', 'add', 'x'], '/src')).toEqual({ cwd: '/repo', args: ['add', 'x'] })
    expect(takeDirectory(['-C', 'a', '-C', '/b', 'ls'], '/src')).toEqual({ cwd: '/b', args: ['ls'] })
  })

  it('leaves a -C after the command, or without a path, for the parser to refuse', () => {
    expect(takeDirectory(['list', '-C', 'x'], '/src')).toEqual({ cwd: '/src', args: ['list', '-C', 'x'] })
    expect(takeDirectory(['-C'], '/src')).toEqual({ cwd: '/src', args: ['-C'] })
  })
})
