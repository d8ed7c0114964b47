// Builds the package: tsc for the library and its types (dist/), then one esbuild bundle for the executable
// (dist/bin/git-backlog.cjs), because loading ~200 separate modules made the MCP server's start-up twice as slow
// (docs/adr/0005-bundled-executable.md), and the small file that runs it from V8's code cache (dist/bin/git-backlog.js).
// The tool listing is computed here, and the SDK's Ajv validator is left out (docs/adr/0015-fast-start.md).
// Then the web viewer's browser app (src/web, issue 14): one JS and one CSS file under dist/web/assets/, named by their
// content, and dist/web/index.html naming them.
// `node scripts/build.mjs --metafile` also writes dist/meta.json (which input went into which chunk).
import { execFileSync } from 'node:child_process'
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

rmSync('dist', { recursive: true, force: true })
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
execFileSync(process.execPath, ['scripts/man.mjs'], { stdio: 'inherit' })

// What tools/list answers, from the tsc output just built: the server sends it without loading zod's converter.
const { TOOLS } = await import('../dist/mcp/tools.js')
const { toolListing } = await import('../dist/mcp/listing.js')
const listing = JSON.stringify(toolListing(TOOLS))

/** The SDK's server imports its Ajv validator for elicitation forms only; ours never asks for one. */
const withoutAjv = {
  name: 'without-ajv',
  setup(build) {
    build.onResolve({ filter: /\/validation\/ajv-provider\.js$/ }, (args) =>
      args.importer.includes('@modelcontextprotocol/sdk') && args.importer.includes('/server/')
        ? { path: fileURLToPath(new URL('no-ajv.js', import.meta.url)) }
        : undefined,
    )
  },
}

// One CommonJS file, so that git-backlog.js can run it from V8's code cache (node 20 caches no ES module's code).
// Modules load lazily all the same: each dynamic import becomes a function that runs the module on first use.
/**
 * isomorphic-git is its own file (dist/bin/isomorphic-git.cjs), required on first use: git objects are read without
 * it (src/store/git/object-files.ts), so it is left out of what a start without a code cache compiles (215 KB of 925).
 */
const isomorphicGitApart = {
  name: 'isomorphic-git-apart',
  setup(build) {
    build.onResolve({ filter: /^isomorphic-git$/ }, (args) =>
      args.importer.includes('/src/') ? { path: './isomorphic-git.cjs', external: true } : undefined,
    )
  },
}

/** What both CommonJS bundles (the command and isomorphic-git apart) are built with. */
const commonJs = {
  outExtension: { '.js': '.cjs' },
  outdir: 'dist/bin',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
}

const result = await build({
  ...commonJs,
  entryPoints: { 'git-backlog': 'src/cli/main.ts' },
  metafile: process.argv.includes('--metafile'),
  define: { __TOOL_LISTING__: JSON.stringify(listing), 'import.meta.url': '__bundleUrl' },
  // Every import() a require() (isomorphic-git.cjs included): vm.Script runs them without an ES module loader.
  supported: { 'dynamic-import': false },
  plugins: [withoutAjv, isomorphicGitApart],
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
})
if (result.metafile) writeFileSync('dist/meta.json', JSON.stringify(result.metafile))
await build({ ...commonJs, entryPoints: { 'isomorphic-git': 'isomorphic-git' } })
await build({
  entryPoints: { 'git-backlog': 'src/cli/start.ts' },
  outdir: 'dist/bin',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  logLevel: 'warning',
})
chmodSync('dist/bin/git-backlog.js', 0o755)

// The web viewer: preact, marked and DOMPurify in one ES2020 module; its CSS beside it; names carry a content hash, so
// a server may cache /assets/ for good and only index.html must be fresh.
const web = await build({
  entryPoints: { app: 'src/web/main.tsx' },
  outdir: 'dist/web/assets',
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: 'src/web/tsconfig.json',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
})
const assets = Object.keys(web.metafile.outputs)
const asset = (extension) => {
  const file = assets.find((path) => path.endsWith(extension))
  if (!file) throw new Error(`the web build made no ${extension} file`)
  return file
}
const html = readFileSync('src/web/index.html', 'utf8')
  .replace('__JS__', basename(asset('.js')))
  .replace('__CSS__', basename(asset('.css')))
writeFileSync('dist/web/index.html', html)
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`
let raw = 0
let gzip = 0
for (const file of [...assets, 'dist/web/index.html']) {
  const bytes = readFileSync(file)
  const zipped = gzipSync(bytes, { level: 9 }).length
  raw += bytes.length
  gzip += zipped
  console.log(`  ${file.padEnd(40)} ${kb(bytes.length).padStart(9)}  gzip ${kb(zipped).padStart(8)}`)
}
console.log(`  ${'web viewer in all'.padEnd(40)} ${kb(raw).padStart(9)}  gzip ${kb(gzip).padStart(8)}`)
