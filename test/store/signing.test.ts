/**
 * `commit.gpgsign`: backlog commits are signed by git itself, with whatever key and format git is set up to use, or
 * refused with an error naming the setting; never silently unsigned.
 */

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { expectError } from '../helpers/errors.js'
import { fsckOutput, tempRepo } from '../helpers/repo.js'

let gnupgHome: string
beforeEach(() => {
  // An empty keyring: gpg has no secret key to sign with.
  gnupgHome = mkdtempSync(join(tmpdir(), 'git-backlog-gnupg-'))
  process.env.GNUPGHOME = gnupgHome
})
afterEach(() => {
  delete process.env.GNUPGHOME
  rmSync(gnupgHome, { recursive: true, force: true })
})

describe('commits in a repository that signs its commits', () => {
  it('signs them with the ssh key git is set up with, so git verifies them', async () => {
    const repo = tempRepo()
    const key = join(repo.dir, '.git', 'signing-key')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test@example.com', '-f', key])
    repo.git('config', 'gpg.format', 'ssh')
    repo.git('config', 'user.signingkey', `${key}.pub`)
    repo.git('config', 'commit.gpgsign', 'true')
    const publicKey = execFileSync('cat', [`${key}.pub`], { encoding: 'utf8' }).trim()
    repo.write('.git/allowed-signers', `test@example.com ${publicKey}\n`)
    repo.git('config', 'gpg.ssh.allowedSignersFile', join(repo.dir, '.git', 'allowed-signers'))

    const app = createApp({ cwd: repo.dir })
    await app.init({})
    const { items } = await app.create({ title: 'Signed by git itself' })
    await app.update({ id: [items[0]!.id], status: 'done' })
    app.close()

    // %G? is G for a good signature; every backlog commit carries one.
    expect(repo.git('log', '-3', '--format=%G?').split('\n').filter(Boolean)).toEqual(['G', 'G', 'G'])
    expect(() => repo.git('verify-commit', 'HEAD')).not.toThrow()
    expect(repo.git('log', '-1', '--format=%B')).toMatch(
      /^done bl-\w+: Signed by git itself\n\nChanged: status, closed/,
    )
    expect(repo.git('status', '--porcelain')).toBe('')
    expect(fsckOutput(repo.dir)).toBe('')
  })

  it('refuses to commit unsigned when git cannot sign, naming the setting, and writes nothing', async () => {
    const repo = tempRepo()
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    app.close()
    repo.git('config', 'commit.gpgsign', 'true')
    repo.git('config', 'user.signingkey', 'NOSUCHKEY0000000')
    // git itself refuses too: the person sees the same behaviour from both.
    expect(() => repo.git('commit', '--allow-empty', '-m', 'unsigned')).toThrow(/gpg failed to sign/)
    const head = repo.git('rev-parse', 'HEAD')

    const signing = createApp({ cwd: repo.dir })
    const error = await expectError(signing.create({ title: 'Must not land unsigned' }), 'SIGNING_FAILED')
    signing.close()
    expect(error.message).toMatch(/commit\.gpgsign.*Nothing was written.*git config commit\.gpgsign false/)
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    expect(repo.git('status', '--porcelain', '--untracked-files=all')).toBe('')
    expect(readdirSync(join(repo.dir, '.git', 'objects')).filter((name) => name.startsWith('tmp_'))).toEqual([])
  })
})
