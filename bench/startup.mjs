// Start-up benchmark: the built executable beside a bare `node -e 0`, in one run, as ratios and differences (this
// machine is shared and noisy: only figures measured side by side mean anything). For each repetition, interleaved:
//   - `node -e 0`: spawn → exit, wall time and CPU (user+sys);
//   - `git-backlog mcp` at 1,000 and 10,000 items, cold (items cache removed) and warm, started by the MCP SDK's
//     client: spawn → answer to `initialize`, and → answer to the first `tools/list`;
//   - CLI commands at 1,000 items (list, show, add, done; the items cache warm): CPU (user+sys, git children included).
// Usage: npm run bench:startup  (or: node bench/startup.mjs --reps 20 1000 10000)

import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { buildBacklog } from './backlog.mjs'
import { BENCH_ENV } from './common.mjs'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
/**
 * How a child's CPU is read (user+sys, the git it waited for included): python's os.wait4 gives microseconds;
 * /usr/bin/time gives hundredths of a second; without either only wall times are printed.
 */
const WAIT4 = `import os, sys, time
t = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - t, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status))`
const TIME = '/usr/bin/time'
const timer =
  spawnSync('python3', ['-c', 'import os; os.wait4'], { stdio: 'ignore' }).status === 0
    ? 'python3'
    : existsSync(TIME)
      ? 'time'
      : 'none'

/**
 * Options: `--reps N`, `--no-cli`, `--no-mcp`, `--bin path` (another build to measure, e.g. the one before a change),
 * and the backlog sizes for the server.
 */
export function parseStartupArgs(args) {
  const option = (flag) => (args.indexOf(flag) >= 0 ? args[args.indexOf(flag) + 1] : undefined)
  return {
    reps: Number(option('--reps') ?? 15),
    bin: option('--bin') ?? join(root, 'dist', 'bin', 'git-backlog.js'),
    cli: !args.includes('--no-cli'),
    mcp: !args.includes('--no-mcp'),
    sizes: args.filter((arg, index) => /^\d+$/.test(arg) && args[index - 1] !== '--reps').map(Number),
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Runs a command to its end and returns its wall time and CPU in ms (NaN when CPU cannot be read). */
function runTimed(command, args, cwd, env = benchEnv) {
  const out = join(scratch, 'time.txt')
  const started = performance.now()
  const [file, argv] =
    timer === 'python3'
      ? ['python3', ['-c', WAIT4, command, ...args]]
      : timer === 'time'
        ? [TIME, ['-f', '%U %S', '-o', out, command, ...args]]
        : [command, args]
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => {
      const wall = performance.now() - started
      const fail = () => reject(new Error(`${command} ${args.join(' ')} failed: ${stderr}`))
      if (code !== 0) return fail()
      if (timer === 'python3') {
        const [seconds, cpu, status] = stdout.trim().split('\n').pop().split(' ').map(Number)
        return status === 0 ? resolve({ wall: seconds * 1000, cpu: cpu * 1000 }) : fail()
      }
      if (timer === 'time') {
        const [user, sys] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2).map(Number)
        return resolve({ wall, cpu: (user + sys) * 1000 })
      }
      resolve({ wall, cpu: Number.NaN })
    })
  })
}

/** Milliseconds from spawning a command to its exit. */
function spawnToExit(command, args, cwd) {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: benchEnv, stdio: 'ignore' })
    child.on('error', reject)
    child.on('exit', () => resolve(performance.now() - started))
  })
}

/**
 * Spawns `git-backlog mcp` in `dir` with the MCP SDK's client, as agents start it, and returns the ms from the spawn
 * to the answer to `initialize` (the client connected) and to the arrival of the first `tools/list` answer.
 */
async function startServer(bin, dir, env = benchEnv) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, 'mcp'],
    cwd: dir,
    env,
    // Each start says what it serves; over dozens of starts that line is noise (a failure shows as a failed connect).
    stderr: 'ignore',
  })
  const client = new Client({ name: 'bench', version: '1.0.0' })
  const started = performance.now()
  await client.connect(transport)
  const initialize = performance.now() - started
  // The answer's arrival, not the client's work on it after (it compiles every output schema).
  let toolsList
  const receive = transport.onmessage
  transport.onmessage = (message) => {
    if (message.result?.tools) toolsList ??= performance.now() - started
    receive?.(message)
  }
  const { tools } = await client.listTools()
  if (!tools.length) throw new Error('tools/list answered no tools')
  const exited = new Promise((resolve) => transport._process?.once('exit', resolve) ?? resolve())
  await client.close()
  await exited
  return { initialize, toolsList }
}

const cacheOf = (dir) => join(dir, '.git', 'backlog', 'items-cache.json')
let scratch
let benchEnv = BENCH_ENV

/**
 * Measures start-up; returns the lines to print.
 *
 * @example
 * console.log((await benchStartup(parseStartupArgs(['--reps', '15']))).join('\n'))
 */
export async function benchStartup({ reps, bin, sizes, cli, mcp }) {
  scratch = mkdtempSync(join(tmpdir(), 'git-backlog-startup-'))
  // The executable's code cache, made by the first run below as by a user's first command.
  benchEnv = { ...BENCH_ENV, GIT_BACKLOG_CACHE_DIR: join(scratch, 'code-cache') }
  const serverSizes = sizes.length ? sizes : [1000, 10000]
  const backlogs = new Map()
  for (const count of new Set([1000, ...serverSizes])) {
    process.stderr.write(`building a backlog of ${count} items...\n`)
    backlogs.set(count, buildBacklog(count))
  }
  const small = backlogs.get(1000)
  const samples = new Map()
  const add = (name, value) => samples.set(name, [...(samples.get(name) ?? []), value])
  // A first run of each writes the items cache, as a user's previous command would have.
  await runTimed(process.execPath, [bin, 'list'], small.dir)
  const open = small.ids.filter((_, i) => i % 8 < 3)
  for (let rep = 0; rep < reps; rep++) {
    process.stderr.write(`\rrepetition ${rep + 1} of ${reps}`)
    const bare = await runTimed(process.execPath, ['-e', '0'], root)
    // Wall time as the server's is taken: from node's own spawn, with no wrapper in between.
    add('node -e 0 wall', await spawnToExit(process.execPath, ['-e', '0'], root))
    add('node -e 0 cpu', bare.cpu)
    if (mcp) {
      for (const count of serverSizes) {
        const { dir } = backlogs.get(count)
        rmSync(cacheOf(dir), { force: true })
        const cold = await startServer(bin, dir)
        add(`${count} cold initialize`, cold.initialize)
        add(`${count} cold tools/list`, cold.toolsList)
        if (!existsSync(cacheOf(dir))) await runTimed(process.execPath, [bin, 'list'], dir)
        const warm = await startServer(bin, dir)
        add(`${count} warm initialize`, warm.initialize)
        add(`${count} warm tools/list`, warm.toolsList)
      }
      // The first start after an install or an upgrade, before any code cache.
      const { dir } = backlogs.get(serverSizes[0])
      const first = await startServer(bin, dir, { ...benchEnv, GIT_BACKLOG_CACHE_DIR: 'off' })
      add('first initialize', first.initialize)
      add('first tools/list', first.toolsList)
    }
    if (cli) {
      const commands = [
        ['--version'],
        ['list'],
        ['show', small.ids[(rep * 7919) % small.ids.length]],
        ['add', `Start-up bench ${rep}`],
        ['done', open[(rep * 31) % open.length]],
      ]
      for (const command of commands) {
        const run = await runTimed(process.execPath, [bin, ...command], small.dir)
        add(`cli ${command[0]} cpu`, run.cpu)
        add(`cli ${command[0]} wall`, run.wall)
      }
    }
  }
  process.stderr.write('\n')
  for (const { dir } of backlogs.values()) rmSync(dir, { recursive: true, force: true })
  rmSync(scratch, { recursive: true, force: true })

  const m = (name) => median(samples.get(name))
  const bareWall = m('node -e 0 wall')
  const bareCpu = m('node -e 0 cpu')
  const pad = (text, width) => String(text).padEnd(width)
  const lines = [
    `start-up, medians of ${reps} repetitions, each beside a bare \`node -e 0\` in the same run (CPU read by ${timer})`,
    `${pad('node -e 0', 40)}${pad(`${bareWall.toFixed(0)} ms wall`, 16)}${bareCpu.toFixed(0)} ms cpu`,
  ]
  if (mcp) {
    for (const count of serverSizes) {
      for (const state of ['cold', 'warm']) {
        for (const answer of ['initialize', 'tools/list']) {
          const value = m(`${count} ${state} ${answer}`)
          const label = `mcp ${count} items, ${state}: spawn → ${answer}`
          lines.push(`${pad(label, 52)}${pad(`${value.toFixed(0)} ms`, 10)}${(value / bareWall).toFixed(2)}× node -e 0`)
        }
      }
    }
  }
  if (mcp) {
    for (const answer of ['initialize', 'tools/list']) {
      const value = m(`first ${answer}`)
      const label = `mcp ${serverSizes[0]} items, no code cache: spawn → ${answer}`
      lines.push(`${pad(label, 52)}${pad(`${value.toFixed(0)} ms`, 10)}${(value / bareWall).toFixed(2)}× node -e 0`)
    }
  }
  if (cli && !Number.isNaN(bareCpu)) {
    for (const name of ['--version', 'list', 'show', 'add', 'done']) {
      const cpu = m(`cli ${name} cpu`)
      const wall = m(`cli ${name} wall`)
      const label = `cli ${name}, 1,000 items`
      lines.push(
        `${pad(label, 30)}${pad(`${cpu.toFixed(0)} ms cpu`, 14)}${pad(`+${(cpu - bareCpu).toFixed(0)} ms over node -e 0`, 26)}${wall.toFixed(0)} ms wall (${(wall / bareWall).toFixed(2)}×)`,
      )
    }
  } else if (cli) lines.push('CPU not measured: neither python3 nor /usr/bin/time is installed')
  return lines
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = parseStartupArgs(process.argv.slice(2))
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version
  console.log(`git-backlog ${version} (${options.bin}), node ${process.version}`)
  console.log((await benchStartup(options)).join('\n'))
}
