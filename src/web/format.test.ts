import { describe, expect, it } from 'vitest'
import { changeText, parseTags, safeHttpUrl, shortCommit, valueText, whoMade } from './format.js'
import { escapeHtml, renderMarkdown, type Sanitizer } from './markdown.js'

describe('safeHttpUrl', () => {
  it('keeps http and https links and refuses every other scheme', () => {
    expect(safeHttpUrl('https://example.com/a?b=1')).toBe('https://example.com/a?b=1')
    expect(safeHttpUrl(' http://example.com ')).toBe('http://example.com/')
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<b>',
      'file:///etc/passwd',
      '/x',
      '',
    ]) {
      expect(safeHttpUrl(bad)).toBeUndefined()
    }
    expect(safeHttpUrl(42)).toBeUndefined()
  })
})

describe('text helpers', () => {
  it('writes values, changes and authors as a reader expects', () => {
    expect(valueText(undefined)).toBe('—')
    expect(valueText(['a', 'b'])).toBe('a, b')
    expect(valueText({ text: 'a note', at: 'x' })).toBe('a note')
    expect(changeText({ field: 'status', old: 'open', new: 'done' })).toBe('status: open → done')
    expect(changeText({ field: 'tags', new: ['ui'] })).toBe('tags: ui')
    expect(changeText({ field: 'due', old: '2026-01-01' })).toBe('due: 2026-01-01 removed')
    expect(shortCommit('0123456789abcdef')).toBe('0123456')
    expect(whoMade({ agent: 'claude', author: 'Ann' })).toBe('claude')
    expect(whoMade({ author: 'Ann' })).toBe('Ann')
    expect(parseTags('ui, +api  docs,')).toEqual(['ui', 'api', 'docs'])
  })
})

describe('renderMarkdown', () => {
  it('fails closed where DOMPurify cannot run (as in node): the text escaped, never raw HTML', () => {
    const html = renderMarkdown('# Hi <img src=x onerror=alert(1)>')
    expect(html).toBe('<pre># Hi &lt;img src=x onerror=alert(1)&gt;</pre>')
  })

  it('hands marked output to the sanitiser and returns what the sanitiser returns', () => {
    const seen: string[] = []
    const sanitizer: Sanitizer = {
      isSupported: true,
      sanitize: (html) => {
        seen.push(html)
        return 'clean'
      },
    }
    expect(renderMarkdown('**bold** <script>x</script>', sanitizer)).toBe('clean')
    expect(seen[0]).toContain('<strong>bold</strong>')
  })

  it("puts a description's headings below the page's title: # is an h3, never a second h1", () => {
    const sanitizer: Sanitizer = { isSupported: true, sanitize: (html) => html }
    expect(renderMarkdown('# One\n\n###### Six', sanitizer)).toBe('<h3>One</h3>\n<h6>Six</h6>\n')
  })

  it('escapes all five metacharacters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    )
  })
})
