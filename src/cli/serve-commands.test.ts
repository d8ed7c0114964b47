import { networkInterfaces } from 'node:os'
import { describe, expect, it } from 'vitest'
import { elsewhere } from './serve-commands.js'

describe('elsewhere', () => {
  it("names this machine's outside IPv4 addresses when serving on all of them, and none for one address", () => {
    expect(elsewhere('127.0.0.1', 7373)).toEqual([])
    expect(elsewhere('192.0.2.2', 7373)).toEqual([])
    expect(elsewhere(undefined, 7373)).toEqual([])
    const outside = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address && !address.internal && address.family === 'IPv4')
      .map((address) => address?.address)
    const found = elsewhere('0.0.0.0', 7373)
    expect(found).toHaveLength(outside.length)
    for (const url of found) {
      expect(url).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:7373$/)
      expect(url).not.toContain('127.0.0.1')
    }
  })
})
