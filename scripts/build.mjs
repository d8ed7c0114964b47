// Builds the package: tsc for the library and its types (dist/), then one esbuild bundle for the executable
// (dist/bin/), because loading ~200 separate modules made the MCP server's start-up twice as slow (docs/adr/0005-bundled-executable.md).
import { execFileSync } from 'node:child_process'
import { chmodSync, rmSync } from 'node:fs'
import { build } from 'esbuild'

rmSync('dist', { recursive: true, force: true })
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
execFileSync(process.execPath, ['scripts/man.mjs'], { stdio: 'inherit' })
await build({
  entryPoints: { 'git-backlog': 'src/cli/main.ts' },
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
  // Bundled CommonJS dependencies call require(); give the ES module one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
})
chmodSync('dist/bin/git-backlog.js', 0o755)
