/** The viewer's only way out: JSON calls to the server's /api, with its error shape turned into one error type. */

import type {
  BoardBody,
  BoardColumnBody,
  HistoryBody,
  HistoryEntryBody,
  ItemPageBody,
  ListBody,
  ReviewBody,
  SearchBody,
  SummaryBody,
  WrittenBody,
} from '../contract/viewer-api.js'

// The server's answers, as src/contract/viewer-api.ts says them (the server checks its answers against the same).
export type { FieldChange as Change, ItemDetail as Item, ItemRow } from '../contract/viewer-api.js'
export type ItemPage = ItemPageBody
export type HistoryEntry = HistoryEntryBody
export type HistoryPage = HistoryBody
export type Summary = SummaryBody
export type ListPage = ListBody
export type Board = BoardBody
export type BoardColumn = BoardColumnBody
export type ReviewPage = ReviewBody
export type Written = WrittenBody

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
  board: (filter?: string, limit?: number) => call<BoardBody>('GET', `/api/board${query({ filter, limit })}`),
  item: (id: string) => call<ItemPage>('GET', `/api/items/${enc(id)}`),
  history: (id: string, after?: string) => call<HistoryPage>('GET', `/api/items/${enc(id)}/history${query({ after })}`),
  activity: (params: { after?: string; agent?: string; limit?: number }) =>
    call<HistoryPage>('GET', `/api/activity${query(params)}`),
  search: (q: string, limit = 20) => call<SearchBody>('GET', `/api/search${query({ q, limit })}`),
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
