/** The error a call must fail with, for tests that check what it says. */

import { expect } from 'vitest'
import { BacklogError } from '../../src/core/errors.js'

/**
 * Awaits a call that must fail with a BacklogError (of `code`, when given) and returns the error.
 *
 * @example
 * const error = await expectError(app.create({ title: '' }), 'INVALID_INPUT')
 */
export async function expectError(promise: Promise<unknown>, code?: string): Promise<BacklogError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(BacklogError)
  if (code !== undefined) expect((error as BacklogError).code).toBe(code)
  return error as BacklogError
}
