import { createRequire } from 'node:module';

// email-reply-parser is CommonJS without types: this is the part of it we use.
interface ReplyParserEmail {
  getVisibleText(): string;
}
interface ReplyParser {
  read(text: string): ReplyParserEmail;
}
const require = createRequire(import.meta.url);
const EmailReplyParser = require('email-reply-parser') as new () => ReplyParser;

/** The library's patterns backtrack on long lines; beyond this the text is not worth stripping. */
const REPLY_PARSER_MAX_CHARS = 64 * 1024;
const MAX_LINE = 1000;

// A forwarded message is content the sender wants us to read, not quoted history: kept verbatim.
const FORWARD_MARKER = [
  /^-{3,}\s*(?:forwarded message|weitergeleitete nachricht|message transféré|thư (?:đã )?(?:được )?chuyển tiếp|edastatud (?:kiri|sõnum))\s*-{3,}$/i,
  /^begin forwarded message:$/i,
];

// Attributions that introduce quoted history, one line or wrapped over up to three (Gmail
// wraps long "On …, Name <address> wrote:" lines). English is Gmail, Apple Mail, Thunderbird;
// Vietnamese and Estonian are Gmail's and Thunderbird's translations. The library knows
// French, Spanish, German and others, but not these wrapped or translated forms.
const ATTRIBUTION = [
  /^(?:>\s*)*On\s.{1,400}\swrote:$/,
  /^(?:>\s*)*Vào\s.{1,400}\sđã viết:$/,
  /^(?:>\s*)*.{1,400}<[^<>\s]+@[^<>\s]+>\s+đã viết:$/,
  /^(?:>\s*)*.{1,400}\skirjutas kuupäeval\s.{1,400}:$/,
  /^(?:>\s*)*\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\b.{1,400}\skirjutas:$/,
];

// Outlook quotes with a header block instead: From, then Sent/Date, then To/Subject,
// in the client's language (English, Vietnamese, Estonian, plus the common European ones).
const BLOCK_FROM = /^\s*\*?(?:From|Von|De|Van|Da|Från|Từ|Người gửi|Saatja|Kellelt)\s*:\*?\s*\S/i;
const BLOCK_SENT = /^\s*\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Verzonden|Inviato|Đã gửi|Ngày gửi|Ngày|Saadetud|Kuupäev)\s*:/i;
const BLOCK_REST = /^\s*\*?(?:To|Subject|Cc|An|Betreff|À|Objet|Para|Asunto|Aan|Onderwerp|A|Oggetto|Đến|Tới|Chủ đề|Tiêu đề|Adressaat|Kellele|Teema)\s*:/i;
const SEPARATOR = [
  /^-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original|oorspronkelijk bericht|messaggio originale|thư gốc|tin nhắn gốc|algne sõnum|algsõnum|originaalsõnum)\s*-{2,}$/i,
  /^_{20,}$/,
];

function isAttribution(lines: string[], at: number): number {
  // Returns how many lines the attribution spans, 0 when none starts here.
  for (let span = 1; span <= 3 && at + span <= lines.length; span++) {
    const part = lines.slice(at, at + span).map((l) => l.trim());
    // A wrapped attribution breaks mid-sentence and has no blank line inside.
    if (span > 1 && (part.some((l) => l === '') || /[.!?]$/.test(part[0] ?? ''))) return 0;
    const joined = part.join(' ');
    if (joined.length > 2 * MAX_LINE || !joined.endsWith(':')) continue;
    if (ATTRIBUTION.some((re) => re.test(joined))) return span;
  }
  return 0;
}

function isHeaderBlock(lines: string[], at: number): boolean {
  if (!BLOCK_FROM.test(lines[at] ?? '')) return false;
  const next = lines.slice(at + 1, at + 7);
  return next.some((l) => BLOCK_SENT.test(l)) && next.some((l) => BLOCK_REST.test(l));
}

/** Index of the first line of quoted history, or -1. */
function quoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.length > MAX_LINE) continue;
    const trimmed = line.trim();
    if (SEPARATOR.some((re) => re.test(trimmed))) return i;
    if (isHeaderBlock(lines, i)) return i;
    if (isAttribution(lines, i) > 0) return i;
  }
  return -1;
}

function withoutQuotedLines(lines: string[]): string[] {
  return lines.filter((l, i) => !/^\s*>/.test(l) && isAttribution(lines, i) === 0);
}

function replyParserVisibleText(text: string): string {
  if (text.length > REPLY_PARSER_MAX_CHARS) return text;
  try {
    return new EmailReplyParser().read(text).getVisibleText();
  } catch {
    // A library failure must not lose the message; the unstripped text is the safe answer.
    return text;
  }
}

/**
 * The new part of a reply: cut at the first attribution or Outlook header block, let
 * email-reply-parser drop signatures and quoted lines, and keep any forwarded message whole.
 */
export function stripReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const forwardAt = lines.findIndex((l) => l.length < MAX_LINE && FORWARD_MARKER.some((re) => re.test(l.trim())));
  const own = forwardAt >= 0 ? lines.slice(0, forwardAt) : lines;
  const forwarded = forwardAt >= 0 ? lines.slice(forwardAt).join('\n').trim() : '';

  const cut = quoteStart(own);
  let body = cut >= 0 ? own.slice(0, cut) : own;
  // Bottom-posting or interleaving: nothing above the quote, so drop the quoted lines instead.
  if (body.join('').trim() === '' && cut >= 0) body = withoutQuotedLines(own.slice(cut + 1));

  const candidate = body.join('\n').trim();
  const visible = replyParserVisibleText(candidate).trim();
  // The library hides a text it takes for a signature only ("Regards"): keep the words then.
  const note = visible === '' ? candidate : visible;
  return [note, forwarded].filter((part) => part !== '').join('\n\n');
}
