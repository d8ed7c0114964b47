import { describe, expect, it } from 'vitest'
import { escapeGithubData, escapeGithubProperty } from './lint.js'

describe('GitHub workflow command escaping', () => {
  it('escapes %, CR and LF in data, and also : and , in properties', () => {
    expect(escapeGithubData('50%, a:b\r\nc')).toBe('50%25, a:b%0D%0Ac')
    expect(escapeGithubProperty('50%, a:b\r\nc')).toBe('50%25%2C a%3Ab%0D%0Ac')
  })
})
