const ANGLE_ID = /<([^<>\s]{1,250})>/g;
const BARE_ID = /^[!-~]{1,250}$/;

function normalize(inner: string): string | null {
  const id = inner.trim();
  // id-left "@" id-right (RFC 5322 §3.6.4), printable ASCII only; anything else is garbage.
  if (!BARE_ID.test(id) || id.includes('<') || id.includes('>')) return null;
  const at = id.lastIndexOf('@');
  if (at <= 0 || at === id.length - 1) return null;
  return `<${id}>`;
}

/** Every Message-ID in a header value (`<a@b> <c@d>`), normalized to `<id>`, in order, without repeats. */
export function messageIds(value: string | undefined, max = 100): string[] {
  if (!value) return [];
  const found = new Set<string>();
  for (const match of value.matchAll(ANGLE_ID)) {
    const id = normalize(match[1] ?? '');
    if (id) found.add(id);
    if (found.size >= max) break;
  }
  if (found.size === 0) {
    // Some senders omit the angle brackets around a lone id.
    const bare = normalize(value.trim());
    if (bare) found.add(bare);
  }
  return [...found];
}

/** The first Message-ID of a header value, `<id>`, or null when absent or garbage. */
export function messageId(value: string | undefined): string | null {
  return messageIds(value, 1)[0] ?? null;
}
