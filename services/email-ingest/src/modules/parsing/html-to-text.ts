import sanitizeHtml from 'sanitize-html';

// Tags whose boundaries are line breaks in the text a reader sees.
const BLOCK_TAGS = ['address', 'article', 'blockquote', 'br', 'dd', 'div', 'dt', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'p', 'pre', 'section', 'table', 'td', 'th', 'tr'];

// The parser (htmlparser2 inside sanitize-html) does the HTML; what comes out has only the block
// tags above, without attributes, so the line breaks can be read off it with plain patterns.
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: BLOCK_TAGS,
  allowedAttributes: {},
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'xml'],
};

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The text of an HTML body, with line breaks where blocks end. */
export function htmlToText(html: string): string {
  const reduced = sanitizeHtml(html, OPTIONS);
  return reduced
    .replace(/<(?:br|hr)\s*\/?>/gi, '\n')
    .replace(/<li>/gi, '\n- ')
    .replace(/<\/t[dh]>/gi, ' ')
    .replace(/<\/?[a-z0-9]+>/gi, (tag) => (tag.startsWith('</') || /^<(?:p|div|tr|table|h\d|blockquote|pre)>/i.test(tag) ? '\n' : ''))
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
