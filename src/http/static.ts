/**
 * The web viewer's files: `index.html` for the viewer's own routes (`/`, `/board`, `/items/bl-x9`...), and its built
 * `assets/`, from a folder (the package's `dist/web/`), never a byte outside it.
 */

import { existsSync, readFileSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'

/** What the viewer's page may do: its own scripts, styles and API only, inside no other page's frame. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

export interface StaticFiles {
  /** Whether the viewer is built: without index.html the server keeps its plain status page. */
  available(): boolean
  /**
   * Answers a GET or HEAD for the viewer and returns true, or returns false when the request is not the viewer's (an
   * unknown path that does not ask for HTML) so the server answers 404 itself.
   */
  serve(request: IncomingMessage, response: ServerResponse, path: string): boolean
}

/** The file under `root/assets/` a URL path names, or undefined for anything that could reach outside it. */
export function assetFile(root: string, path: string): string | undefined {
  let name: string
  try {
    name = decodeURIComponent(path.slice('/assets/'.length))
  } catch {
    return undefined
  }
  // Decoded once, so `%2e%2e` is caught as `..`; a second layer of encoding names a file with `%` in it, not a folder.
  if (!name || name.includes('\0') || name.includes('\\')) return undefined
  if (name.split('/').some((part) => part === '' || part === '.' || part === '..')) return undefined
  const base = resolve(root, 'assets')
  const file = resolve(base, name)
  return file.startsWith(`${base}${sep}`) ? file : undefined
}

function acceptsHtml(request: IncomingMessage): boolean {
  // A browser navigating asks for text/html; an image or a script with `*/*` gets its 404, not the page.
  return (request.headers.accept ?? '').includes('text/html')
}

/**
 * The viewer served from `root` (a folder holding `index.html` and `assets/`).
 *
 * @example
 * const files = createStaticFiles(packagePath('dist/web'))
 * if (files.available() && files.serve(request, response, '/board')) return
 */
export function createStaticFiles(root: string): StaticFiles {
  const index = join(root, 'index.html')
  const available = () => existsSync(index)

  function sendFile(request: IncomingMessage, response: ServerResponse, file: string, html: boolean): void {
    const body = readFileSync(file)
    response.writeHead(200, {
      'content-type': html ? TYPES['.html'] : (TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'),
      'content-length': body.byteLength,
      'x-content-type-options': 'nosniff',
      // The viewer is rebuilt in place: the browser asks again rather than run yesterday's bundle.
      'cache-control': 'no-cache',
      ...(html ? { 'content-security-policy': CONTENT_SECURITY_POLICY, 'referrer-policy': 'no-referrer' } : {}),
    })
    response.end(request.method === 'HEAD' ? undefined : body)
  }

  function notFound(response: ServerResponse): void {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' })
    response.end('Not found.\n')
  }

  return {
    available,
    serve(request, response, path) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false
      if (path.startsWith('/assets/')) {
        const file = assetFile(root, path)
        let found = false
        try {
          found = file !== undefined && statSync(file).isFile()
        } catch {
          found = false
        }
        if (file && found) sendFile(request, response, file, false)
        else notFound(response)
        return true
      }
      if (path !== '/' && !acceptsHtml(request)) return false
      if (!available()) return false
      sendFile(request, response, index, true)
      return true
    },
  }
}
