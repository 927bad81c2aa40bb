import EmailReplyParser from 'email-reply-parser';

/** Longer lines are content, never an attribution, header line or signature. */
const MAX_LINE = 1000;
/**
 * email-reply-parser's time grows faster than its input (a 28 kB text of short lines: 90 ms,
 * 56 kB: 360 ms); a longer candidate (its long lines counted as stand-ins, see
 * replyParserVisibleText) is left to the rules here. The candidate is what is above the quoted
 * history, so only a very long new text gets there.
 */
const REPLY_PARSER_MAX_CHARS = 32 * 1024;

// A forwarded message is content the sender wants us to read, not quoted history: kept verbatim.
const FORWARD_MARKER = [
  /^-{3,}\s*(?:forwarded message|weitergeleitete nachricht|message transféré|thư (?:đã )?(?:được )?chuyển tiếp|edastatud (?:kiri|sõnum))\s*-{3,}$/i,
  /^begin forwarded message:$/i,
];

// Attributions that introduce quoted history, one line or wrapped over up to three (Gmail
// wraps long "On …, Name <address> wrote:" lines): English (Gmail, Apple Mail, Thunderbird),
// Vietnamese and Estonian (Gmail's and Thunderbird's translations), and the forms of the other
// common client languages (French, Spanish, Italian, Portuguese, German, Dutch, Polish, the
// Scandinavian ones, Finnish, Russian, Chinese, Korean, Japanese). Each line is at most
// 2 * MAX_LINE characters and each pattern has one unbounded-free shape, so a hostile line
// costs linear time.
const ATTRIBUTION = [
  /^(?:>\s*)*On\s.{1,400}\swrote:$/,
  /^(?:>\s*)*Vào\s.{1,400}\sđã viết:$/,
  /^(?:>\s*)*.{1,400}<[^<>\s]+@[^<>\s]+>\s+đã viết:$/,
  /^(?:>\s*)*.{1,400}\skirjutas kuupäeval\s.{1,400}:$/,
  /^(?:>\s*)*\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\b.{1,400}\skirjutas:$/,
  /^(?:>\s*)*Le\s.{1,400}\s(?:a\s)?écrit\s?:$/,
  /^(?:>\s*)*El\s.{1,400}\sescribió\s?:$/,
  /^(?:>\s*)*(?:Il|In data)\s.{1,400}\s(?:ha\s)?scritto\s?:$/,
  /^(?:>\s*)*(?:Em|No dia)\s.{1,400}\sescreveu\s?:$/,
  /^(?:>\s*)*Am\s.{1,400}\sschrieb\s.{1,400}:$/,
  /^(?:>\s*)*.{1,400}<[^<>\s]+@[^<>\s]+>\sschrieb:$/,
  /^(?:>\s*)*Op\s.{1,400}\sschreef\s.{1,400}:$/,
  /^(?:>\s*)*(?:W dniu|Dnia)\s.{1,400}\s(?:pisze|napisał(?:\(a\))?):$/,
  /^(?:>\s*)*(?:Den\s)?.{1,400}\sskrev\s.{1,400}:$/,
  /^(?:>\s*)*.{1,400}\skirjoitti:$/,
  /^(?:>\s*)*.{1,400}\sг\.\sв\s.{1,400}:$/,
  /^(?:>\s*)*在.{1,400}写道：$/,
  /^(?:>\s*)*20\d{2}[./-].{1,400}\s작성:$/,
  /^(?:>\s*)*20\d{2}\/.{1,400}のメッセージ:$/,
];

// Outlook quotes with a header block instead: From, then Sent/Date, then To/Subject,
// in the client's language (English, Vietnamese, Estonian, plus the common European ones).
const BLOCK_FROM = /^\s*\*?(?:From|Von|De|Van|Da|Från|Từ|Người gửi|Saatja|Kellelt)\s*:\*?\s*\S/i;
const BLOCK_SENT = /^\s*\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Verzonden|Inviato|Đã gửi|Ngày gửi|Ngày|Saadetud|Kuupäev)\s*:/i;
const BLOCK_REST = /^\s*\*?(?:To|Subject|Cc|An|Betreff|À|Objet|Para|Asunto|Aan|Onderwerp|A|Oggetto|Đến|Tới|Chủ đề|Tiêu đề|Adressaat|Kellele|Teema)\s*:/i;
const SEPARATOR = [
  /^-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original|oorspronkelijk bericht|messaggio originale|oprindelig besked|thư gốc|tin nhắn gốc|algne sõnum|algsõnum|originaalsõnum)\s*-{2,}$/i,
  /^_{20,}$/,
];

// A signature starts at the RFC 3676 delimiter ("-- "), a short rule, a mobile client's
// footer or a closing formula; everything from there down is the sender's boilerplate. What
// email-reply-parser knows of these it finds itself; these are also the forms it misses
// (Vietnamese and Estonian footers, the French closings) and what a candidate too long for it needs.
const SIGNATURE = [
  /^-- ?$/,
  /^\s*(?:-{2,4}|_{2,4}|\+{2,4}|={2,4})\s*$/,
  /^(?:Sent from|Get Outlook for|Envoyé depuis|Envoyé de mon|Envoyé à partir de|Télécharger Outlook pour|Enviado desde|Sendt fra|Verzonden vanaf|Verstuurd vanaf|Gesendet von|Gửi từ|Saadetud minu)\s\S/,
  /^Von (?:meinem|meiner)\s.{1,200}\sgesendet$/,
  /^(?:Cheers|Best wishes|Bien à vous|Bonne (?:journée|soirée))[,.!]?!?$/i,
  /^(?:[\p{L}\p{N}_]{1,20}\s?)?(?:and\s)?regards[,.!]?!?！?$/iu,
  /^(?:[\p{L}\p{N}_]{1,20}\s?)?cordialement[,.!]?!?$/iu,
];

function isAttribution(lines: string[], at: number): number {
  // Returns how many lines the attribution spans, 0 when none starts here.
  const parts: string[] = [];
  for (let span = 1; span <= 3 && at + span <= lines.length; span++) {
    const line = (lines[at + span - 1] ?? '').trim();
    parts.push(line);
    // A wrapped attribution breaks mid-sentence and has no blank line inside.
    if (span > 1 && (line === '' || parts[0] === '' || /[.!?]$/.test(parts[0] ?? ''))) return 0;
    // Only a line ending in a colon can end one (most lines are rejected here, unjoined).
    if (!line.endsWith(':')) continue;
    const joined = parts.join(' ');
    if (joined.length > 2 * MAX_LINE) continue;
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

/** The lines above the first signature line (all of them when there is none). */
function withoutSignature(lines: string[]): string[] {
  const at = lines.findIndex((l) => l.length <= MAX_LINE && SIGNATURE.some((re) => re.test(l.trimEnd())));
  return at < 0 ? lines : lines.slice(0, at);
}

// A long line's stand-in for email-reply-parser: its quote markers and leading blanks, then its
// index between two private-use characters, which none of the library's patterns can take for
// anything. Only the index is replaced on the way back (the library may have joined the line to
// its neighbours, as it does with quote headers it finds wrapped).
const STAND_IN_OPEN = '\uE000';
const STAND_IN = /\uE000(\d+)\uE001/g;

/**
 * What email-reply-parser (a maintained reply parser) shows of a text: without its signature and
 * quoted lines.
 *
 * The library reverses every line character by character, several times, and tries its sixty
 * patterns (some with nested `.+`) on each, so its cost grows faster than a line's length: a
 * paragraph sent as one line, as Gmail and Outlook send text/plain, cost it more than all its
 * other work on a message. A line longer than MAX_LINE is content for every rule (never an
 * attribution, header line or signature, here or there), so the library gets a short stand-in
 * for it that keeps its quote markers (a quoted long line is still quoted), and the line is put
 * back into what the library shows.
 */
function replyParserVisibleText(text: string): string {
  // What follows each long line's markers, as the library shows lines: without trailing whitespace.
  const rests: string[] = [];
  const shortened = text.includes(STAND_IN_OPEN)
    ? text
    : text
        .split('\n')
        .map((line) => {
          if (line.length <= MAX_LINE) return line;
          const markers = /^[\s>]*/.exec(line)![0];
          rests.push(line.slice(markers.length).trimEnd());
          return `${markers}${STAND_IN_OPEN}${rests.length - 1}\uE001`;
        })
        .join('\n');
  if (shortened.length > REPLY_PARSER_MAX_CHARS) return text;
  try {
    const visible = new EmailReplyParser().read(shortened).getVisibleText();
    return rests.length === 0 ? visible : visible.replace(STAND_IN, (_, i: string) => rests[Number(i)]!);
  } catch {
    // A library failure must not lose the message; the unstripped text is the safe answer.
    return text;
  }
}

/**
 * The new part of a reply: cut at the first attribution, separator or Outlook header block
 * (in the languages above, which email-reply-parser does not all know), let email-reply-parser
 * drop signatures and quoted lines, cut at a signature it missed, and keep any forwarded
 * message whole.
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
  const visible = withoutSignature(replyParserVisibleText(candidate).split('\n')).join('\n').trim();
  // A text that is all signature ("Regards, Jane"): its words are kept.
  const note = visible === '' ? candidate : visible;
  return [note, forwarded].filter((part) => part !== '').join('\n\n');
}
