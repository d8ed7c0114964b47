/** Item ids: a prefix and a random Crockford base-32 suffix, so ids made on two branches at once do not collide. */

import { BacklogError, phrase, slot } from './errors.js'

/** Crockford's base-32 alphabet, lower case: no i, l, o or u, so ids read aloud and typed by hand survive. */
export const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

export const MIN_SUFFIX_LENGTH = 6

/**
 * The suffix grows with the backlog so that the chance of a fresh id equalling any existing one stays below one in
 * 100,000: 6 characters (about 10^9 ids) up to about 10,000 items, then 7.
 */
export function suffixLengthFor(itemCount: number): number {
  let length = MIN_SUFFIX_LENGTH
  while (ID_ALPHABET.length ** length < Math.max(1, itemCount) * 100_000) length++
  return length
}

/** A source of uniformly random integers in [0, 32); injected so tests are deterministic. */
export type RandomIndex = () => number

/**
 * A new id that is not in `taken` (compared case-insensitively).
 *
 * @example
 * generateId('bl', new Set(['bl-k3m9x2']), randomIndex) // 'bl-7q0zht'
 */
export function generateId(
  prefix: string,
  taken: { readonly size: number; has(id: string): boolean },
  random: RandomIndex,
): string {
  const length = suffixLengthFor(taken.size)
  for (;;) {
    let suffix = ''
    for (let i = 0; i < length; i++) suffix += ID_ALPHABET[random() & 31]
    const id = `${prefix}-${suffix}`
    if (!taken.has(id)) return id
  }
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

/**
 * True for a word that can be an item id: letters, digits, `-`, `_` and `.`, not starting with one of the last three,
 * at most 64 characters, no `..`.
 *
 * @example
 * isValidId('bd-e1.1.1') // true
 * isValidId('../x') // false
 */
export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id) && !id.includes('..')
}

/**
 * Checks an id given by a caller before it goes near a path: letters, digits, `-`, `_` and `.`, not starting with
 * a dot, no `..`. Returns the id as written (ids are matched case-insensitively elsewhere).
 */
export function assertValidId(id: string): string {
  const trimmed = id.trim()
  if (!isValidId(trimmed)) {
    throw new BacklogError(
      'INVALID_ID',
      phrase`"${id}" is not an item id. Ids look like bl-k3m9x2 (letters, digits, "-", "_" or "."). ${slot('list')}`,
      { id },
    )
  }
  return trimmed
}

/** The key under which an id is looked up: ids are case-insensitive. */
export function idKey(id: string): string {
  return id.trim().toLowerCase()
}

/** A valid id prefix for config: letters and digits, starting with a letter. */
export function isValidPrefix(prefix: string): boolean {
  return /^[A-Za-z][A-Za-z0-9]{0,15}$/.test(prefix)
}
