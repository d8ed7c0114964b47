// `git backlog serve` as a child process, for the scripts that drive a browser at it (bench/viewer.mjs,
// scripts/screenshots.mjs): resolves once it listens, with its URL, the child and the time it took.

import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const bin = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist', 'bin', 'git-backlog.js')

/** Starts the built bin with `args` (after `serve`, with `--port 0`) in `cwd` with `env`; `stop()` ends it. */
export function startServe({ args = [], cwd, env }) {
  const started = performance.now()
  const child = spawn(process.execPath, [bin, 'serve', ...args, '--port', '0'], {
    ...(cwd ? { cwd } : {}),
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  const exited = new Promise((resolve) => child.once('exit', resolve))
  /** Stops the server and resolves once it has exited, so its folder can be removed (it writes caches as it stops). */
  const stop = () => {
    child.kill('SIGTERM')
    return exited
  }
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk
      const found = /(http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)
      if (found && stderr.includes('Ctrl+C')) resolve({ url: found[1], child, ms: performance.now() - started, stop })
    })
    child.on('exit', (code) => reject(new Error(`serve ${args.join(' ')} exited ${code}: ${stderr}`)))
  })
}
