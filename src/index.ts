/** The git-backlog library: the app (use-cases), the store, the core codec and schemas, and the MCP server. */

export {
  type App,
  type AppOptions,
  createApp,
  type ItemDetail,
  type ItemRow,
  type ListResult,
  type MutationResult,
} from './app/index.js'
export { parseItemFile, serializeItem } from './core/codec.js'
export { type BacklogConfig, DEFAULT_CONFIG, parseConfig } from './core/config.js'
export { BacklogError, type BacklogErrorCode, isBacklogError } from './core/errors.js'
export * as inputs from './core/inputs.js'
export type { Item, Note, Reference } from './core/item.js'
export { createMcpServer, serveStdio } from './mcp/server.js'
export { openStore, type Store } from './store/store.js'
