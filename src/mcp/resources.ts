/**
 * MCP resources: every item as `backlog://items/<id>` (a template whose id completes), the config as
 * `backlog://config`, and notifications when items change, by a tool call or by hand.
 */

import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CompleteRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { burstOf, changedRecords, type RecordSnapshot, snapshotOf } from '../app/changes.js'
import type { App, ItemRecord } from '../app/index.js'
import { BacklogError } from '../core/errors.js'
import { idKey } from '../core/ids.js'
import { asProtocolError } from './errors.js'

export const ITEM_URI_TEMPLATE = 'backlog://items/{id}'
export const CONFIG_URI = 'backlog://config'
/** The session briefing for the connected agent (docs/agents.md). */
export const BRIEFING_URI = 'backlog://briefing'
const ITEM_URI = /^backlog:\/\/items\/([^/?#]+)$/
const PAGE_SIZE = 500
const MAX_COMPLETIONS = 100
/** Hand edits often come as bursts of file events (an editor's save, a checkout): one notification per burst. */
const SETTLE_MS = 50
/** ...and a stream of writes that never pauses is still told this often. */
const MAX_WAIT_MS = 400

/** The URI of an item's resource. */
export function itemUri(id: string): string {
  return `backlog://items/${id}`
}

/**
 * Registers the resource handlers on `server` and returns `changed`: call it after a write, and it is called on every
 * file event, to send `resources/updated` for subscribed items that changed and `resources/list_changed` when items
 * came or went.
 */
export function registerResources(
  server: Server,
  appFor: () => Promise<App>,
  agent: () => string | undefined = () => undefined,
): { start(): Promise<void>; changed(): void; close(): void } {
  const subscriptions = new Set<string>()
  let snapshot: RecordSnapshot | undefined
  let unsubscribe: (() => void) | undefined

  const records = async () => (await appFor()).records()

  /** Starts watching: on the first look at resources, or once the client has its tools (see `start`). */
  async function track(all: readonly ItemRecord[]): Promise<void> {
    if (snapshot) return
    snapshot = snapshotOf(all)
    unsubscribe = await (await appFor()).watch(changed)
  }

  async function publish(): Promise<void> {
    if (!snapshot) return
    const next = snapshotOf(await records())
    let listChanged = next.size !== snapshot.size
    const updated: string[] = []
    for (const { id, before } of changedRecords(snapshot, next)) {
      if (before) updated.push(id)
      else listChanged = true
    }
    snapshot = next
    for (const id of updated) {
      const uri = itemUri(id)
      if (subscriptions.has(uri) || subscriptions.has(itemUri(idKey(id)))) await server.sendResourceUpdated({ uri })
    }
    if (listChanged) await server.sendResourceListChanged()
  }

  // A burst of file events becomes one round of notifications, once it settles or when it has lasted MAX_WAIT_MS.
  const burst = burstOf(
    () => {
      publish().catch(() => {
        // a notification that cannot be sent (the client left) is not an error of any call
      })
    },
    SETTLE_MS,
    MAX_WAIT_MS,
  )

  function changed(): void {
    if (snapshot) burst.poke()
  }

  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      {
        uriTemplate: ITEM_URI_TEMPLATE,
        name: 'item',
        title: 'Backlog item',
        description: 'One item as its markdown file: YAML frontmatter and the description',
        mimeType: 'text/markdown',
      },
    ],
  }))

  server.setRequestHandler(ListResourcesRequestSchema, (request) =>
    asProtocolError(async () => {
      const all = await records()
      await track(all)
      const offset = Number(request.params?.cursor ?? 0) || 0
      const page = all.slice(offset, offset + PAGE_SIZE)
      const resources = [
        ...(offset === 0
          ? [
              { uri: CONFIG_URI, name: 'config', title: 'Backlog config', mimeType: 'application/yaml' },
              {
                uri: BRIEFING_URI,
                name: 'briefing',
                title: 'Session briefing',
                description:
                  'What to know at the start of a session: work in progress and whose, ready, blocked and why, what others changed since your last change (at most 3 KB)',
                mimeType: 'text/plain',
              },
            ]
          : []),
        ...page.map(({ item, archived }) => ({
          uri: itemUri(item.id),
          name: item.id,
          title: `${item.title} [${item.status}${archived ? ', archived' : ''}]`,
          mimeType: 'text/markdown',
        })),
      ]
      return {
        resources,
        ...(offset + PAGE_SIZE < all.length ? { nextCursor: String(offset + PAGE_SIZE) } : {}),
      }
    }),
  )

  server.setRequestHandler(ReadResourceRequestSchema, (request) =>
    asProtocolError(() => readResource(request.params.uri)),
  )

  async function readResource(uri: string) {
    const app = await appFor()
    if (uri === CONFIG_URI) return { contents: [{ uri, mimeType: 'application/yaml', text: await app.configText() }] }
    if (uri === BRIEFING_URI) {
      const who = agent()
      const { text } = await app.briefing(who ? { agent: who } : {})
      return { contents: [{ uri, mimeType: 'text/plain', text }] }
    }
    const match = ITEM_URI.exec(uri)
    let id: string | undefined
    try {
      id = match?.[1] ? decodeURIComponent(match[1]) : undefined
    } catch {
      id = undefined
    }
    await track(await records())
    const record = id ? await app.record(id) : undefined
    if (!record) {
      throw new BacklogError(
        'NOT_FOUND',
        `No item at ${uri}. Item resources are ${ITEM_URI_TEMPLATE}; backlog_list shows ids.`,
      )
    }
    return { contents: [{ uri, mimeType: 'text/markdown', text: record.text }] }
  }

  server.setRequestHandler(SubscribeRequestSchema, (request) =>
    asProtocolError(async () => {
      await track(await records())
      subscriptions.add(request.params.uri)
      return {}
    }),
  )

  server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscriptions.delete(request.params.uri)
    return {}
  })

  server.setRequestHandler(CompleteRequestSchema, (request) =>
    asProtocolError(async () => {
      const { ref, argument } = request.params
      // An item's id: in the item template's URI, or as the `id` argument of a workflow prompt.
      const itemId =
        argument.name === 'id' &&
        ((ref.type === 'ref/resource' && ref.uri === ITEM_URI_TEMPLATE) || ref.type === 'ref/prompt')
      if (!itemId) return { completion: { values: [] } }
      const prefix = idKey(argument.value ?? '')
      const all = await records()
      const matches = all.filter(({ item }) => idKey(item.id).startsWith(prefix))
      // Work at hand first: not archived, then by id.
      matches.sort((a, b) => Number(a.archived) - Number(b.archived) || (idKey(a.item.id) < idKey(b.item.id) ? -1 : 1))
      return {
        completion: {
          values: matches.slice(0, MAX_COMPLETIONS).map(({ item }) => item.id),
          total: matches.length,
          hasMore: matches.length > MAX_COMPLETIONS,
        },
      }
    }),
  )

  return {
    async start() {
      try {
        await (await appFor()).warm()
        await track(await records())
      } catch {
        // no repository or no backlog yet: nothing to watch, and the tools say why
      }
    },
    changed,
    close() {
      burst.cancel()
      unsubscribe?.()
    },
  }
}
