/**
 * The stdio transport: newline-delimited JSON-RPC on standard input and output, as the SDK's own, but a message that
 * is too long or not JSON gets a JSON-RPC error reply and the server goes on. (The SDK's transport closes itself on a
 * message over its 10 MB buffer, and the server exited silently.)
 */

import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { type JSONRPCMessage, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js'

/** The longest message read, in bytes: the SDK transport's own limit. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024

/** JSON-RPC 2.0 error codes. */
const PARSE_ERROR = -32700
const INVALID_REQUEST = -32600
/** Bytes kept of each end of an over-long line, to find its id. */
const KEPT = 512

type Id = string | number | null

/**
 * The id of a request whose line was too long to read, found where JSON-RPC clients put it: first after "jsonrpc", or
 * last before the closing brace (the SDK client writes `{"method":…,"params":…,"jsonrpc":"2.0","id":7}`).
 */
function idOf(head: string, tail: string): Id {
  const value = '(-?\\d+|"(?:[^"\\\\]|\\\\.)*")'
  const match =
    new RegExp(`^\\s*\\{\\s*(?:"jsonrpc"\\s*:\\s*"2\\.0"\\s*,\\s*)?"id"\\s*:\\s*${value}`).exec(head) ??
    new RegExp(`[,{]\\s*"id"\\s*:\\s*${value}\\s*\\}\\s*$`).exec(tail)
  if (!match?.[1]) return null
  return JSON.parse(match[1]) as string | number
}

function errorReply(id: Id, code: number, message: string): JSONRPCMessage {
  // A reply with a null id is what JSON-RPC prescribes when the request's id cannot be read.
  return { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage
}

export interface StdioOptions {
  input?: NodeJS.ReadableStream
  output?: NodeJS.WritableStream
  maxMessageBytes?: number
  /** Where problems with what the client sent are told (standard error by default). */
  log?: (message: string) => void
}

/**
 * A transport over standard input and output.
 *
 * @example
 * await server.connect(createStdioTransport())
 */
export function createStdioTransport({
  input = process.stdin,
  output = process.stdout,
  maxMessageBytes = MAX_MESSAGE_BYTES,
  log = (message) => process.stderr.write(`${message}\n`),
}: StdioOptions = {}): Transport {
  let chunks: Buffer[] = []
  let length = 0
  /** Set while the rest of an over-long line is skipped: its first bytes, and the last ones seen so far. */
  let skipping: { head: string; tail: Buffer; bytes: number } | undefined
  let closed = false

  const transport: Transport = {
    async start() {
      input.on('data', onData)
      input.on('error', onError)
      input.once('end', () => void transport.close())
    },
    send(message) {
      return new Promise((resolve) => {
        if (output.write(`${JSON.stringify(message)}\n`)) resolve()
        else output.once('drain', resolve)
      })
    },
    async close() {
      if (closed) return
      closed = true
      input.off('data', onData)
      input.off('error', onError)
      if (input.listenerCount('data') === 0) input.pause()
      chunks = []
      transport.onclose?.()
    },
  }

  function onError(error: Error): void {
    transport.onerror?.(error)
  }

  function reply(message: JSONRPCMessage): void {
    void transport.send(message)
  }

  function handleLine(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line
    if (text.trim() === '') return
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      log(`git-backlog: a message was not JSON (${text.slice(0, 80)}…); replied with a parse error`)
      reply(errorReply(null, PARSE_ERROR, 'Parse error: the message is not JSON'))
      return
    }
    const message = JSONRPCMessageSchema.safeParse(parsed)
    if (!message.success) {
      const id = (parsed as { id?: unknown } | null)?.id
      log('git-backlog: a message was not JSON-RPC; replied with an error')
      reply(
        errorReply(
          typeof id === 'string' || typeof id === 'number' ? id : null,
          INVALID_REQUEST,
          'Invalid Request: not a JSON-RPC 2.0 message',
        ),
      )
      return
    }
    transport.onmessage?.(message.data)
  }

  function finishSkipping(): void {
    const { head, tail, bytes } = skipping as NonNullable<typeof skipping>
    skipping = undefined
    const id = idOf(head, tail.toString('utf8'))
    const limit = `${maxMessageBytes.toLocaleString('en')} bytes`
    log(
      `git-backlog: a message of ${bytes.toLocaleString('en')} bytes is over the limit of ${limit}; replied with an error`,
    )
    if (id === null && /"method"\s*:\s*"notifications\//.test(head)) return
    reply(
      errorReply(
        id,
        INVALID_REQUEST,
        `Request too large: ${bytes.toLocaleString('en')} bytes, over the limit of ${limit}. Nothing was done; send less in one call (fewer items per batch, shorter descriptions).`,
      ),
    )
  }

  function onData(chunk: Buffer): void {
    let rest = chunk
    while (rest.length > 0) {
      const newline = rest.indexOf(10)
      const piece = newline === -1 ? rest : rest.subarray(0, newline)
      if (skipping) {
        skipping.bytes += piece.length
        skipping.tail = Buffer.concat([skipping.tail, piece]).subarray(-KEPT)
      } else if (length + piece.length > maxMessageBytes) {
        const start = Buffer.concat([...chunks, piece.subarray(0, KEPT)]).subarray(0, KEPT)
        skipping = {
          head: start.toString('utf8'),
          tail: Buffer.concat([...chunks, piece]).subarray(-KEPT),
          bytes: length + piece.length,
        }
        chunks = []
        length = 0
      } else {
        chunks.push(piece)
        length += piece.length
      }
      if (newline === -1) return
      if (skipping) finishSkipping()
      else {
        const line = Buffer.concat(chunks, length).toString('utf8')
        chunks = []
        length = 0
        handleLine(line)
      }
      rest = rest.subarray(newline + 1)
    }
  }

  return transport
}
