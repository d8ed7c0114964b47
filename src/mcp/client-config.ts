/**
 * The MCP configuration each client needs to start this installation's server, printed by
 * `git backlog mcp --config <client>` so nobody hand-writes absolute paths. Pure: the launch command and the
 * repository are given.
 */

import type { Launch } from '../package-files.js'

/** The variable Cursor and VS Code replace with the folder open in the editor. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: the editor's variable, written as the editor spells it
const WORKSPACE_FOLDER = '${workspaceFolder}'

export const CLIENTS = ['claude', 'cursor', 'codex', 'vscode', 'windsurf'] as const
export type Client = (typeof CLIENTS)[number]

export interface ClientConfig {
  /** What to paste or run, printed on stdout. */
  text: string
  /** Where it goes, printed on stderr. */
  where: string
}

export interface ServerTarget {
  /** How to start this installation (see `selfLaunch`). */
  launch: Launch
  /** The repository's absolute path, for clients that do not start servers in the project. */
  repository: string
  /** The server's name in the client's configuration. */
  name?: string
  /** An MCP endpoint over HTTP (`git backlog serve`) instead of a server started over stdio. */
  url?: string
  /** With `url`: the bearer token the server asks for (a placeholder such as `<token>` keeps a secret off screens). */
  token?: string
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

function tomlString(text: string): string {
  return JSON.stringify(text)
}

/**
 * The configuration for `client`.
 *
 * @example
 * clientConfig('claude', { launch: { command: '/usr/bin/node', args: ['/opt/gb/dist/bin/git-backlog.js'] }, repository: '/src/app' }).text
 * // 'claude mcp add git-backlog -- /usr/bin/node /opt/gb/dist/bin/git-backlog.js mcp'
 */
export function clientConfig(client: Client, target: ServerTarget): ClientConfig {
  const name = target.name ?? 'git-backlog'
  const { command } = target.launch
  // Clients that start servers in the project need nothing more; the others are told the repository with -C, by
  // path or by the client's own variable for the open folder.
  const args = (repository?: string) => [...target.launch.args, ...(repository ? ['-C', repository] : []), 'mcp']
  const json = (value: unknown) => JSON.stringify(value, null, 2)
  const url = target.url
  const headers = url && target.token ? { Authorization: `Bearer ${target.token}` } : undefined
  switch (client) {
    case 'claude':
      return {
        text: url
          ? `claude mcp add --transport http ${shellWord(name)} ${shellWord(url)}${headers ? ` --header ${shellWord(`Authorization: ${headers.Authorization}`)}` : ''}`
          : `claude mcp add ${shellWord(name)} -- ${[command, ...args()].map(shellWord).join(' ')}`,
        where: url
          ? 'Run this in the project; Claude Code connects to the running server.'
          : "Run this in the repository (Claude Code starts the server there); it names this machine's paths, so keep it in your own (local) scope.",
      }
    case 'cursor':
      return {
        text: json({
          mcpServers: {
            [name]: url ? { url, ...(headers ? { headers } : {}) } : { command, args: args(WORKSPACE_FOLDER) },
          },
        }),
        where: 'Put this in .cursor/mcp.json in the repository (or ~/.cursor/mcp.json for every project).',
      }
    case 'vscode':
      return {
        text: json({
          servers: {
            [name]: url
              ? { type: 'http', url, ...(headers ? { headers } : {}) }
              : { type: 'stdio', command, args: args(WORKSPACE_FOLDER) },
          },
        }),
        where: 'Put this in .vscode/mcp.json in the repository.',
      }
    case 'codex':
      return {
        text: url
          ? `[mcp_servers.${tomlString(name)}]\nurl = ${tomlString(url)}\n${headers ? `http_headers = { Authorization = ${tomlString(headers.Authorization)} }\n` : ''}`
          : `[mcp_servers.${tomlString(name)}]\ncommand = ${tomlString(command)}\nargs = [${args().map(tomlString).join(', ')}]\n`,
        where: url
          ? 'Add this to ~/.codex/config.toml; Codex connects to the running server.'
          : 'Add this to ~/.codex/config.toml (Codex starts the server in the folder it runs in).',
      }
    case 'windsurf':
      return {
        text: json({
          mcpServers: {
            [name]: url
              ? { serverUrl: url, ...(headers ? { headers } : {}) }
              : { command, args: args(target.repository) },
          },
        }),
        where: url
          ? `Add this to ~/.codeium/windsurf/mcp_config.json; it reaches whichever backlog is served at ${url}.`
          : `Add this to ~/.codeium/windsurf/mcp_config.json; Windsurf's servers are global, so this one is tied to ${target.repository}.`,
      }
  }
}
