/** The viewer's only way out: JSON calls to the server's /api, with its error shape turned into one error type. */

export interface ItemRow {
  id: string
  title: string
  status: string
  type?: string
  priority?: string
  tags?: string[]
  assignee?: string
  due?: string
  urgency?: number
  parent?: string
  blocked?: boolean
  [field: string]: unknown
}

export interface Note {
  at?: string
  by?: string
  text: string
}

export interface Item extends ItemRow {
  epic?: string
  depends_on?: string[]
  references?: Array<{ url: string; title?: string }>
  evidence?: string[]
  blocked_reason?: string[]
  notes?: Note[]
  created?: string
  started?: string
  closed?: string
  updated?: string
  description?: string
  attributes?: Record<string, unknown>
}

export interface ItemPage {
  item: Item
  version: string
  parents?: ItemRow[]
  children?: ItemRow[]
  depends_on?: ItemRow[]
  dependents?: ItemRow[]
}

export interface Change {
  field: string
  old?: unknown
  new?: unknown
}

export interface HistoryEntry {
  commit: string
  date: string
  author: string
  agent?: string
  op?: string
  subject: string
  items: Array<{ id: string; path?: string; changes?: Change[] }>
}

export interface HistoryPage {
  entries: HistoryEntry[]
  next?: string
}

export interface Summary {
  version?: string
  identity?: { name: string; email: string }
  repository?: string
  branch?: string
  items?: number
  problems?: number
  statuses?: string[]
  [field: string]: unknown
}

export interface ListPage {
  items: ItemRow[]
  total?: number
  truncated?: boolean
  counts?: { by_status?: Record<string, number> }
  problems?: unknown[]
}

export interface BoardColumn {
  status: string
  total: number
  items: ItemRow[]
  wip?: number
  limit?: number
}

export interface ReviewChange {
  kind: string
  field?: string
  old?: unknown
  new?: unknown
  by?: string
  evidence?: string[]
}

export interface ReviewPage {
  base?: unknown
  head?: unknown
  items: Array<{ id: string; title: string; kinds: string[]; changes: ReviewChange[]; status?: string }>
  counts?: Record<string, number>
}

export interface Written {
  item: Item
  version: string
  commit?: string
}

/** An answer other than 2xx: the server's code and message, and for a conflict the item as it is now. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body?: Record<string, unknown>,
  ) {
    super(message)
  }
  /** Someone else changed the item since it was read: a CONFLICT that comes with the item as it is now. */
  get conflict(): boolean {
    const body = this.body as { version?: unknown } | undefined
    return this.status === 409 && this.code === 'CONFLICT' && typeof body?.version === 'string'
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { accept: 'application/json' } }
  if (body !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' }
    init.body = JSON.stringify(body)
  }
  let response: Response
  try {
    response = await fetch(path, init)
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `The server did not answer (${(error as Error).message}). Is it still running?`)
  }
  const text = await response.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : {}
  } catch {
    json = undefined
  }
  if (!response.ok || json === undefined) {
    const record = (json ?? {}) as Record<string, unknown>
    const error = (record.error ?? {}) as { code?: string; message?: string }
    throw new ApiError(
      response.status,
      error.code ?? `HTTP_${response.status}`,
      error.message ?? `${method} ${path}: ${response.status} ${response.statusText}`,
      record,
    )
  }
  return json as T
}

/** A query string from the set parameters. */
function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(([, value]) => value !== undefined && value !== '')
  const text = new URLSearchParams(entries.map(([key, value]) => [key, String(value)])).toString()
  return text ? `?${text}` : ''
}

const enc = encodeURIComponent

export const api = {
  summary: () => call<Summary>('GET', '/api/summary'),
  items: (params: { filter?: string; status?: string; limit?: number; sort?: string; counts?: boolean }) =>
    call<ListPage>(
      'GET',
      `/api/items${query({ ...params, counts: params.counts ? 1 : undefined } as Record<string, string | number | undefined>)}`,
    ),
  board: (filter?: string, limit?: number) =>
    call<{ columns: BoardColumn[] }>('GET', `/api/board${query({ filter, limit })}`),
  item: (id: string) => call<ItemPage>('GET', `/api/items/${enc(id)}`),
  history: (id: string, after?: string) => call<HistoryPage>('GET', `/api/items/${enc(id)}/history${query({ after })}`),
  activity: (params: { after?: string; agent?: string; limit?: number }) =>
    call<HistoryPage>('GET', `/api/activity${query(params)}`),
  search: (q: string, limit = 20) =>
    call<{ items: Array<ItemRow & { snippet?: string }> }>('GET', `/api/search${query({ q, limit })}`),
  review: (range: string) => call<ReviewPage>('GET', `/api/review${query({ range })}`),
  update: (id: string, expect: string, fields: Record<string, unknown>) =>
    call<Written>('PATCH', `/api/items/${enc(id)}`, { expect, ...fields }),
  addNote: (id: string, text: string, expect?: string) =>
    call<Written>('POST', `/api/items/${enc(id)}/notes`, expect ? { text, expect } : { text }),
  writeDescription: (id: string, description: string, expect: string) =>
    call<Written>('PUT', `/api/items/${enc(id)}/description`, { description, expect }),
}

/** What to show for a failed write: conflicts in words a person acts on. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.conflict)
      return 'This item was changed meanwhile by someone else; it has been reloaded. Nothing was overwritten.'
    return `${error.code}: ${error.message}`
  }
  return String((error as Error)?.message ?? error)
}
