import { describe, expect, it } from 'vitest'
import { BacklogError, phrase, say, sentence, slot, TOOL_WORDS, type Words } from './errors.js'

const SHOUTED: Words = Object.fromEntries(
  Object.entries(TOOL_WORDS).map(([term, words]) => [term, words.toUpperCase()]),
) as unknown as Words
const SHOWN: Words = Object.fromEntries(Object.keys(TOOL_WORDS).map((term) => [term, `<${term}>`])) as unknown as Words

describe('messages with slots', () => {
  it('say the next step in the MCP tools’ words by default, and in any edge’s words when asked', () => {
    const error = new BacklogError('NOT_FOUND', phrase`No item ${'bl-x9'}. ${slot('list')}`, { id: 'bl-x9' })
    expect(error.message).toBe('No item bl-x9. Call backlog_list to see ids.')
    expect(error.say(SHOUTED)).toBe('No item bl-x9. CALL BACKLOG_LIST TO SEE IDS.')
    expect(error.details).toEqual({ id: 'bl-x9' })
  })

  it('keep a plain message as it is in every edge’s words', () => {
    const error = new BacklogError('CONFLICT', 'someone else holds it')
    expect(error.message).toBe('someone else holds it')
    expect(error.say(SHOUTED)).toBe('someone else holds it')
  })

  it('splice phrases into phrases, and turn other values into text as a template string does', () => {
    const inner = phrase`${slot('old_str')} has tabs`
    const outer = phrase`Near match at line ${3}: ${inner}; ${undefined}`
    expect(say(outer)).toBe('Near match at line 3: old_str has tabs; undefined')
    expect(say(outer, SHOWN)).toBe('Near match at line 3: <old_str> has tabs; undefined')
    expect(outer.parts).toEqual(['Near match at line 3: ', { term: 'old_str' }, ' has tabs; undefined'])
  })

  it('end a phrase in one full stop to go inside a longer message, leaving a next step as it is', () => {
    expect(say(sentence(phrase`no item bl-x9.`))).toBe('no item bl-x9.')
    expect(say(sentence(phrase`no item bl-x9`))).toBe('no item bl-x9.')
    expect(say(sentence(phrase`no item bl-x9. ${slot('list')}`))).toBe('no item bl-x9. Call backlog_list to see ids.')
    expect(say(sentence(phrase`use 0 to 3, or ${slot('append')}`))).toBe('use 0 to 3, or append.')
  })
})
