import PostalMime, { addressParser, decodeWords } from 'postal-mime';
import type { Address, Attachment, Email, Mailbox } from 'postal-mime';
import { readCalendarInvite } from './calendar-invite.js';
import { headerSectionEnd, repairHeaderBytes } from './header-bytes.js';
import { htmlToText } from './html-to-text.js';
import { messageId, messageIds } from './message-id.js';
import type { ParseLimits } from './parse-limits.js';
import type { AttachmentKind, CalendarInvite, MailAddress, ParsedAttachment, ParsedMessage } from './parsed-message.js';
import { RejectedMessageError } from './parsing.exceptions.js';
import { safeLine, safeText } from './safe-text.js';
import { decodeUtf7Words } from './utf7.js';
import { sanitizeMailHtml } from './sanitize-mail-html.js';
import { stripReply } from './strip-reply.js';

const MAX_ADDRESS = 320;
const MAX_ADDRESSES = 500;
const MAX_NAME = 200;
const MAX_FILENAME = 255;
const MAX_HEADER_VALUE = 8192;
const MAX_HEADER_VALUES = 100;
const MAX_HEADER_NAMES = 500;
/** Forwarded messages (message/rfc822 parts) whose text is added to the body. */
const MAX_FORWARDED = 5;

// Headers without which a byte sequence is not mail at all.
const MESSAGE_HEADERS = ['from', 'sender', 'to', 'cc', 'subject', 'date', 'message-id', 'received', 'return-path', 'delivered-to', 'mime-version'];
const FIELD_NAME = /^[!-9;-~]{1,76}$/;
const ADDRESS = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+$/;

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/**
 * Parses one raw RFC 5322 message (postal-mime does the MIME) into what the pipeline needs.
 * Throws only RejectedMessageError, for input that cannot become a ticket.
 */
export async function parseMessage(raw: Uint8Array, limits: ParseLimits): Promise<ParsedMessage> {
  const input = repairHeaderBytes(withoutMboxLine(raw));
  const email = await postalMime(input, limits);

  const headers = headerRecord(email);
  if (!MESSAGE_HEADERS.some((name) => name in headers)) {
    throw new RejectedMessageError('not-a-message', 'no RFC 5322 header (From, To, Subject, Date, Message-ID, Received, …) found');
  }
  if (headerSectionEnd(input) < 0) {
    throw new RejectedMessageError('header-only', 'the message ends inside its header: no blank line and no body');
  }
  const from = fromAddress(email.from);
  if (!from) throw new RejectedMessageError('no-from-address', `From ${JSON.stringify(safeLine(headers['from']?.[0] ?? '(missing)', 200))} names no mailbox`);

  const subject = safeLine(decodeSubject(headers['subject']?.[0], email.subject), limits.maxSubjectChars);
  const isReport = /^multipart\/report\b/i.test(headers['content-type']?.[0] ?? '');

  const { attachments, dropped } = collectAttachments(email.attachments, subject, limits);
  const forwarded = isReport ? [] : await forwardedTexts(email.attachments, limits);

  const ownText = safeText(email.text ?? (email.html ? htmlToText(email.html) : ''), limits.maxTextChars).trim() || unsplittableBody(input, headers, email, limits);
  // ownText is safe already, and so is what stripReply keeps of it: only a join with forwarded
  // texts needs another pass (safeText leaves safe text as it is).
  const withForwarded = (own: string) => (forwarded.length === 0 ? own : safeText([own, ...forwarded].filter((t) => t !== '').join('\n\n'), limits.maxTextChars));
  const text = withForwarded(ownText);
  const strippedText = withForwarded(stripReply(ownText));

  if (subject === '' && text === '' && attachments.length === 0) {
    throw new RejectedMessageError('empty-message', 'no subject, no text and no attachments');
  }

  return {
    messageId: messageId(headers['message-id']?.[0]),
    inReplyTo: messageId(headers['in-reply-to']?.[0]),
    references: messageIds(headers['references']?.join(' ')),
    from,
    replyTo: mailboxes(email.replyTo),
    to: mailboxes(email.to),
    cc: mailboxes(email.cc),
    deliveredTo: headerAddresses(headers['delivered-to']),
    originalTo: headerAddresses(headers['x-original-to']),
    subject,
    date: messageDate(headers['date']?.[0]),
    text,
    strippedText,
    html: sanitizedHtml(email.html, limits),
    attachments,
    droppedAttachments: dropped,
    calendar: calendarOf(attachments),
    headers,
  };
}

/** postal-mime's decoding, except for UTF-7 encoded words, which TextDecoder does not know. */
function decodeSubject(raw: string | undefined, decoded: string | undefined): string {
  if (raw === undefined || !/=\?(?:unicode-1-1-)?utf-7\?/i.test(raw)) return decoded ?? '';
  return decodeWords(decodeUtf7Words(raw));
}

async function postalMime(input: Uint8Array, limits: ParseLimits): Promise<Email> {
  try {
    return await PostalMime.parse(input, {
      maxNestingDepth: limits.maxNestingDepth,
      maxHeadersSize: limits.maxHeaderBytes,
      // Forwarded messages stay whole as .eml attachments; their text is added below.
      forceRfc822Attachments: true,
      attachmentEncoding: 'arraybuffer',
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/nesting depth/i.test(message)) throw new RejectedMessageError('nesting-too-deep', safeLine(message, 200));
    if (/header size/i.test(message)) throw new RejectedMessageError('headers-too-large', safeLine(message, 200));
    throw new RejectedMessageError('unparseable', safeLine(message, 200));
  }
}

/** An mbox export starts with a `From sender date` line that is not a header. */
function withoutMboxLine(raw: Uint8Array): Uint8Array {
  const mbox = raw[0] === 0x46 && raw[1] === 0x72 && raw[2] === 0x6f && raw[3] === 0x6d && raw[4] === 0x20;
  if (!mbox) return raw;
  const eol = raw.indexOf(0x0a);
  return eol < 0 ? raw : raw.subarray(eol + 1);
}

/**
 * A multipart without a boundary cannot be split, and postal-mime yields nothing for it: the raw
 * body is then shown as text, so the sender's words are not lost.
 */
function unsplittableBody(input: Uint8Array, headers: Record<string, string[]>, email: Email, limits: ParseLimits): string {
  const contentType = headers['content-type']?.[0] ?? '';
  if (!/^\s*multipart\//i.test(contentType) || /;\s*boundary\s*=/i.test(contentType) || email.attachments.length > 0) return '';
  const start = headerSectionEnd(input);
  if (start < 0) return '';
  const body = input.subarray(start, start + limits.maxTextChars * 4);
  return safeText(utf8.decode(body).replace(/\r\n?/g, '\n'), limits.maxTextChars).trim();
}

function headerRecord(email: Email): Record<string, string[]> {
  const record = Object.create(null) as Record<string, string[]>;
  let names = 0;
  for (const { key, value } of email.headers) {
    if (!FIELD_NAME.test(key)) continue;
    let values = record[key];
    if (!values) {
      if (names >= MAX_HEADER_NAMES) continue;
      names++;
      values = record[key] = [];
    }
    if (values.length < MAX_HEADER_VALUES) values.push(safeText(value, MAX_HEADER_VALUE));
  }
  return record;
}

function mailbox(entry: Mailbox): MailAddress | null {
  const address = entry.address.trim().toLowerCase();
  if (address.length > MAX_ADDRESS || !ADDRESS.test(address)) return null;
  const name = safeLine(entry.name ?? '', MAX_NAME);
  return { address: safeLine(address, MAX_ADDRESS), name: name === '' ? null : name };
}

function fromAddress(from: Address | undefined): MailAddress | null {
  if (!from || from.group !== undefined) return null;
  return mailbox(from);
}

function mailboxes(list: Address[] | undefined): string[] {
  const found = new Set<string>();
  for (const entry of list ?? []) {
    for (const member of entry.group ?? [entry as Mailbox]) {
      const parsed = mailbox(member);
      if (parsed) found.add(parsed.address);
      if (found.size >= MAX_ADDRESSES) return [...found];
    }
  }
  return [...found];
}

function headerAddresses(values: string[] | undefined): string[] {
  return mailboxes((values ?? []).flatMap((value) => addressParser(value)));
}

function messageDate(value: string | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  const year = date.getUTCFullYear();
  return Number.isNaN(date.getTime()) || year < 1970 || year > 9999 ? null : date;
}

function sanitizedHtml(html: string | undefined, limits: ParseLimits): string | null {
  if (!html || html.length > 4 * limits.maxHtmlChars) return null;
  const clean = safeText(sanitizeMailHtml(html), Number.MAX_SAFE_INTEGER).trim();
  // A cut would leave broken markup; the text is kept in full anyway.
  return clean === '' || clean.length > limits.maxHtmlChars ? null : clean;
}

function bytesOf(content: Attachment['content']): Uint8Array {
  if (typeof content === 'string') return encoder.encode(content);
  if (content instanceof ArrayBuffer) return new Uint8Array(content);
  return new Uint8Array(content);
}

function kindOf(attachment: Attachment, contentType: string): AttachmentKind {
  if (contentType === 'message/rfc822' || contentType === 'message/global') return 'message';
  if (contentType === 'text/calendar' || contentType === 'application/ics') return 'calendar';
  if (contentType.startsWith('image/') && attachment.contentId && (attachment.related || attachment.disposition === 'inline')) return 'inline-image';
  return 'file';
}

const EXTENSIONS: Record<string, string> = {
  'message/rfc822': 'eml',
  'message/global': 'eml',
  'text/calendar': 'ics',
  'application/ics': 'ics',
  'message/delivery-status': 'txt',
  'text/rfc822-headers': 'txt',
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
};

function filenameOf(attachment: Attachment, contentType: string, kind: AttachmentKind, subject: string, index: number): string {
  // A name is for display and download: no directories, no control characters.
  const given = safeLine((attachment.filename ?? '').split(/[\\/]/).pop() ?? '', MAX_FILENAME).replace(/^\.+/, '');
  if (given !== '') return given;
  if (kind === 'message') {
    const base = safeLine(subject.replace(/[\\/:*?"<>|]+/g, ' '), 100) || 'forwarded-message';
    return `${base}.eml`;
  }
  const extension = EXTENSIONS[contentType] ?? (contentType.startsWith('text/') ? 'txt' : 'bin');
  return `attachment-${index + 1}.${extension}`;
}

function collectAttachments(list: Attachment[], subject: string, limits: ParseLimits): { attachments: ParsedAttachment[]; dropped: number } {
  const attachments: ParsedAttachment[] = [];
  for (const [index, attachment] of list.entries()) {
    if (attachments.length >= limits.maxAttachments) break;
    const contentType = safeLine(attachment.mimeType || 'application/octet-stream', 255).toLowerCase();
    const kind = kindOf(attachment, contentType);
    const bytes = bytesOf(attachment.content);
    const tooLarge = bytes.byteLength > limits.maxAttachmentBytes;
    const contentId = attachment.contentId ? safeLine(attachment.contentId.replace(/^<|>$/g, ''), 255) : '';
    attachments.push({
      filename: filenameOf(attachment, contentType, kind, subject, index),
      contentType,
      size: bytes.byteLength,
      content: tooLarge ? new Uint8Array(0) : bytes,
      contentId: contentId === '' ? null : contentId,
      inline: attachment.disposition === 'inline' || attachment.related === true,
      kind,
      omitted: tooLarge ? 'too-large' : null,
    });
  }
  return { attachments, dropped: list.length - attachments.length };
}

/** The text of each attached message/rfc822, under a header block as mail clients show a forward. */
async function forwardedTexts(list: Attachment[], limits: ParseLimits): Promise<string[]> {
  const texts: string[] = [];
  for (const attachment of list) {
    if (texts.length >= MAX_FORWARDED) break;
    if (attachment.mimeType !== 'message/rfc822' && attachment.mimeType !== 'message/global') continue;
    const bytes = bytesOf(attachment.content);
    if (bytes.byteLength > limits.maxAttachmentBytes) continue;
    let inner: Email;
    try {
      inner = await PostalMime.parse(repairHeaderBytes(bytes), {
        maxNestingDepth: limits.maxNestingDepth,
        maxHeadersSize: limits.maxHeaderBytes,
        forceRfc822Attachments: true,
      });
    } catch {
      continue; // the .eml attachment still carries it
    }
    const body = inner.text ?? (inner.html ? htmlToText(inner.html) : '');
    const from = inner.from && inner.from.group === undefined ? [inner.from.name, inner.from.address && `<${inner.from.address}>`].filter(Boolean).join(' ') : '';
    const head = [
      '---------- Forwarded message ----------',
      from && `From: ${from}`,
      inner.date && `Date: ${inner.date}`,
      inner.subject && `Subject: ${inner.subject}`,
    ].filter(Boolean);
    texts.push(safeText(`${head.join('\n')}\n\n${body.trim()}`, limits.maxTextChars));
  }
  return texts;
}

function calendarOf(attachments: ParsedAttachment[]): CalendarInvite | null {
  const part = attachments.find((a) => a.kind === 'calendar' && a.omitted === null);
  if (!part) return null;
  const invite = readCalendarInvite(utf8.decode(part.content));
  const clean = (value: string | null, max: number): string | null => (value === null ? null : safeLine(value, max) || null);
  return { method: clean(invite.method, 50), summary: clean(invite.summary, 998), start: clean(invite.start, 100) };
}
