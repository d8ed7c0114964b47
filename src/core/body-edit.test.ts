import { describe, expect, it } from 'vitest'
import { type BodyOperation, editBody } from './body-edit.js'
import { BacklogError } from './errors.js'

function failure(body: string, operation: BodyOperation): BacklogError {
  try {
    editBody(body, operation)
  } catch (error) {
    if (error instanceof BacklogError) return error
    throw error
  }
  throw new Error('expected editBody to throw')
}

const replace = (old_str: string, new_str: string): BodyOperation => ({ type: 'str_replace', old_str, new_str })
const insert = (insert_line: number, new_str: string): BodyOperation => ({ type: 'insert', insert_line, new_str })
const append = (new_str: string): BodyOperation => ({ type: 'append', new_str })

describe('str_replace', () => {
  it('replaces the one exact match and leaves every other byte alone', () => {
    const body = '# Plan\n\n- build\n- ship  \n'
    expect(editBody(body, replace('- build', '- build\n- test'))).toBe('# Plan\n\n- build\n- test\n- ship  \n')
    expect(editBody(body, replace('\n- ship  ', ''))).toBe('# Plan\n\n- build\n')
  })

  it('refuses an empty old_str', () => {
    const error = failure('text\n', replace('', 'x'))
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.message).toMatch(/old_str is empty/)
  })

  it('names the count and lines of every match when old_str is ambiguous', () => {
    const error = failure('todo: a\nok\ntodo: b\ntodo: c\n', replace('todo', 'done'))
    expect(error.code).toBe('AMBIGUOUS')
    expect(error.message).toBe(
      'old_str matches 3 times (lines 1, 3, 4); include more surrounding text so it matches once',
    )
  })

  it('counts overlapping matches as ambiguous', () => {
    expect(failure('aaa', replace('aa', 'b')).code).toBe('AMBIGUOUS')
  })

  it('shows the first 10 numbered lines of the body when nothing matches', () => {
    const body = Array.from({ length: 12 }, (_, index) => `line ${index + 1}`).join('\n')
    const error = failure(body, replace('nowhere to be found', 'x'))
    expect(error.code).toBe('NO_MATCH')
    expect(error.message).toContain('First 10 lines of the body:\n 1| line 1\n 2| line 2')
    expect(error.message).toContain('10| line 10\n(2 more lines)')
    expect(error.message).not.toContain('line 11')
  })

  it('says so when the body is empty', () => {
    expect(failure('', replace('x', 'y')).message).toMatch(/the body is empty/)
  })

  it('points out tabs where old_str has spaces, with the text as it is', () => {
    const body = 'intro\nfunction f() {\n\treturn 1\n}\n'
    const error = failure(body, replace('function f() {\n    return 1', 'x'))
    expect(error.code).toBe('NO_MATCH')
    expect(error.message).toContain('Near match at lines 2–3: the body has tabs where old_str has spaces')
    expect(error.message).toContain(JSON.stringify('function f() {\n\treturn 1'))
  })

  it('points out trailing spaces and curly quotes', () => {
    const trailing = failure('one  \ntwo\n', replace('one\ntwo', 'x'))
    expect(trailing.message).toContain('the body has trailing spaces')
    expect(trailing.message).toContain(JSON.stringify('one  \ntwo'))
    const quotes = failure('Say \u201chello\u201d twice\n', replace('Say "hello"', 'x'))
    expect(quotes.message).toContain('Near match at line 1: the quotes differ')
    expect(quotes.message).toContain(JSON.stringify('Say \u201chello\u201d'))
  })

  it('points out CRLF endings in a body that mixes line endings', () => {
    const error = failure('a\r\nb\r\nc\n', replace('a\nb', 'x'))
    expect(error.message).toContain('the body has CRLF line endings there')
  })

  it('shows the closest lines when the text was changed rather than respaced', () => {
    const body = 'Goals\n- make the login form faster\n- add metrics\n'
    const error = failure(body, replace('- make the login page faster', 'x'))
    expect(error.message).toContain('Closest line in the body:\n2| - make the login form faster')
    expect(failure(body, replace('zzzz qqqq', 'x')).message).not.toContain('Closest')
  })

  it('matches a CRLF body with old_str written with LF, and writes new_str with CRLF', () => {
    expect(editBody('a\r\nb\r\nc\r\n', replace('a\nb', 'a\nx\nb'))).toBe('a\r\nx\r\nb\r\nc\r\n')
  })
})

describe('insert', () => {
  it('inserts after line N, 0 being the top, adding the line break new_str lacks', () => {
    expect(editBody('a\nc\n', insert(1, 'b'))).toBe('a\nb\nc\n')
    expect(editBody('a\nc\n', insert(1, 'b\n'))).toBe('a\nb\nc\n')
    expect(editBody('b\n', insert(0, 'a'))).toBe('a\nb\n')
    expect(editBody('a\nb\n', insert(2, 'c'))).toBe('a\nb\nc\n')
  })

  it('keeps the final line break as the inputs imply', () => {
    expect(editBody('a\nb', insert(2, 'c'))).toBe('a\nb\nc')
    expect(editBody('a\nb', insert(2, 'c\n'))).toBe('a\nb\nc\n')
    expect(editBody('', insert(0, 'first'))).toBe('first')
  })

  it('keeps CRLF line endings', () => {
    expect(editBody('a\r\nc\r\n', insert(1, 'b1\nb2'))).toBe('a\r\nb1\r\nb2\r\nc\r\n')
  })

  it('refuses a line past the end, naming the number of lines', () => {
    const error = failure('a\nb\n', insert(3, 'x'))
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.message).toMatch(/the body has 2 lines; use 0 to 2/)
    expect(failure('a\nb\n', insert(-1, 'x')).code).toBe('INVALID_INPUT')
    expect(failure('a\nb\n', insert(1.5, 'x')).code).toBe('INVALID_INPUT')
  })

  it('refuses an empty new_str', () => {
    expect(failure('a\n', insert(1, '')).message).toMatch(/nothing to insert/)
  })
})

describe('append', () => {
  it('adds new_str on a new line without inventing blank lines', () => {
    expect(editBody('a\n', append('b'))).toBe('a\nb\n')
    expect(editBody('a', append('b'))).toBe('a\nb')
    expect(editBody('a', append('b\n'))).toBe('a\nb\n')
    expect(editBody('a\n\n', append('b\n'))).toBe('a\n\nb\n')
    expect(editBody('', append('b'))).toBe('b')
  })

  it('keeps CRLF line endings', () => {
    expect(editBody('a\r\n', append('b\nc'))).toBe('a\r\nb\r\nc\r\n')
  })
})

describe('the frontmatter guard', () => {
  it('refuses an edit that starts the body with a frontmatter block', () => {
    const error = failure('', append('---\nstatus: done\n---\nText\n'))
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.message).toMatch(/second YAML frontmatter.*backlog_update/s)
    expect(failure('Intro\n---\n', replace('Intro', '---\ntitle: x')).code).toBe('INVALID_INPUT')
    expect(failure('text\n---\n', insert(0, '---')).code).toBe('INVALID_INPUT')
  })

  it('allows horizontal rules that cannot be read as frontmatter', () => {
    expect(editBody('', append('---\nA rule at the top, never closed\n'))).toBe(
      '---\nA rule at the top, never closed\n',
    )
    expect(editBody('Intro\n', append('---\nmore\n---\n'))).toBe('Intro\n---\nmore\n---\n')
  })

  it('leaves a body that already started that way editable', () => {
    const body = '---\nhand: written\n---\ntext\n'
    expect(editBody(body, replace('text', 'prose'))).toBe('---\nhand: written\n---\nprose\n')
  })
})
