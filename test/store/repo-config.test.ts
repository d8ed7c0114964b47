/** The repository config as git writes it, read back by our own reader. */

import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { discoverRepo, readConfigValue, readRepoConfig, repoConfig } from '../../src/store/repo.js'
import { tempRepo } from '../helpers/repo.js'

describe('readConfigValue', () => {
  it('reads values git wrote, quoted and escaped, by section and subsection', () => {
    const repo = tempRepo()
    const driver = '"/opt/node 20/bin/node" "/x/git-backlog.js" merge-driver %O %A %B %L %P'
    repo.git('config', 'merge.backlog.driver', driver)
    repo.git('config', 'branch.main.remote', 'origin')
    repo.git('config', 'branch.main.merge', 'refs/heads/main')
    repo.git('config', 'branch.other.remote', 'upstream')
    const text = readRepoConfig(discoverRepo(repo.dir))
    expect(text).toContain('\\"/opt/node 20/bin/node\\"')
    expect(readConfigValue(text, 'merge', 'driver', 'backlog')).toBe(driver)
    expect(readConfigValue(text, 'branch', 'remote', 'main')).toBe('origin')
    expect(readConfigValue(text, 'branch', 'remote', 'other')).toBe('upstream')
    expect(readConfigValue(text, 'branch', 'remote')).toBeUndefined()
    expect(readConfigValue(text, 'core', 'bare')).toBe(repo.git('config', 'core.bare').trim())
  })

  it('takes the last value, cuts comments outside quotes, and reads a bare key as true', () => {
    const text =
      '[extensions]\n\tobjectFormat = sha1\n[Extensions]\n\tobjectformat = sha256 ; moved\n[x]\n\tflag\n\ty = "a;b" # c\n'
    expect(readConfigValue(text, 'extensions', 'objectformat')).toBe('sha256')
    expect(readConfigValue(text, 'x', 'flag')).toBe('true')
    expect(readConfigValue(text, 'x', 'y')).toBe('a;b')
  })
})

describe('repoConfig', () => {
  it('answers for the repository itself, whatever GIT_DIR says, and refuses a config git cannot read', () => {
    const repo = tempRepo()
    repo.git('config', 'backlog.probe', 'ours')
    const other = tempRepo()
    other.git('config', 'backlog.probe', 'theirs')
    const saved = process.env.GIT_DIR
    process.env.GIT_DIR = join(other.dir, '.git')
    try {
      expect(repoConfig(discoverRepo(repo.dir)).get('backlog.probe')).toBe('ours')
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR
      else process.env.GIT_DIR = saved
    }
    // A line git refuses: git-backlog says so instead of reading no config at all (no format, no upstream, no driver).
    const broken = tempRepo()
    appendFileSync(join(broken.dir, '.git', 'config'), '[core\n')
    expect(() => repoConfig(discoverRepo(broken.dir))).toThrow(/REPO_UNSUPPORTED|git could not read the config/)
  })
})
