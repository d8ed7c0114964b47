/** Descriptions as HTML: markdown through `marked`, then DOMPurify; the only HTML the viewer ever puts in the page. */
import DOMPurify from 'dompurify'
import { Marked } from 'marked'
import { safeHttpUrl } from './format.js'

/** Headings of a description sit under the page's own: `#` becomes <h3>, so the item's title stays the only <h1>. */
const HEADING_SHIFT = 2
const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  walkTokens(token) {
    if (token.type === 'heading') token.depth = Math.min(6, token.depth + HEADING_SHIFT)
  },
})

/** What the wrapper needs of DOMPurify: an instance in a browser, a stand-in in tests. */
export interface Sanitizer {
  isSupported: boolean
  sanitize(
    html: string,
    config: { USE_PROFILES: { html: boolean }; FORBID_TAGS: string[]; FORBID_ATTR: string[] },
  ): string
}

/** Text with the five HTML metacharacters escaped. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  )
}

let hooked = false
/**
 * Links open apart and tell the target nothing; only http(s) and mailto links keep their href (and in-page ones,
 * though no heading carries an id to land on).
 */
function hookLinks(): void {
  if (hooked || !DOMPurify.isSupported) return
  hooked = true
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName !== 'A') return
    const href = node.getAttribute('href') ?? ''
    if (href && !href.startsWith('#') && !/^mailto:/i.test(href) && !safeHttpUrl(href)) {
      node.removeAttribute('href')
    }
    if (href && !href.startsWith('#')) {
      node.setAttribute('target', '_blank')
      node.setAttribute('rel', 'noopener noreferrer')
    }
  })
}

/**
 * A description's markdown as sanitised HTML. Fails closed: where the sanitiser cannot run (no DOM), the text comes
 * back escaped in a <pre>, never as unsanitised HTML.
 *
 * @example
 * renderMarkdown('# Hi <img src=x onerror=alert(1)>') // '<h3>Hi <img src="x"></h3>'
 */
export function renderMarkdown(source: string, sanitizer: Sanitizer = DOMPurify): string {
  if (!sanitizer.isSupported) return `<pre>${escapeHtml(source)}</pre>`
  if (sanitizer === DOMPurify) hookLinks()
  const html = marked.parse(source) as string
  // No style (a description could lay a fake page over the viewer), no id or name (they would clash with the page's).
  return sanitizer.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button'],
    FORBID_ATTR: ['style', 'id', 'name'],
  })
}
