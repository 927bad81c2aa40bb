export interface MailAddress {
  /** Lower-cased. */
  address: string;
  name: string | null;
}

export type AttachmentKind = 'file' | 'inline-image' | 'message' | 'calendar';

export interface ParsedAttachment {
  filename: string;
  contentType: string;
  /** Decoded size in bytes, also when the content was left out. */
  size: number;
  /** Empty when `omitted` says why it was left out. */
  content: Uint8Array;
  /** Without angle brackets, as `cid:` references in the HTML name it. */
  contentId: string | null;
  inline: boolean;
  kind: AttachmentKind;
  omitted: 'too-large' | null;
}

export interface CalendarInvite {
  /** iTIP method (RFC 5546): REQUEST, CANCEL, REPLY, … */
  method: string | null;
  summary: string | null;
  /** DTSTART as written (`20240603T100000Z`, `20240603`), or null. */
  start: string | null;
}

/** Everything the pipeline needs from one inbound message; every string is safe for Postgres text. */
export interface ParsedMessage {
  /** `<id@host>`, or null when absent or garbage. */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  from: MailAddress;
  replyTo: string[];
  to: string[];
  cc: string[];
  deliveredTo: string[];
  originalTo: string[];
  subject: string;
  date: Date | null;
  /** The whole plain text: the text part, else text derived from the HTML, plus forwarded messages. */
  text: string;
  /** The new part of the text: quoted history and signature removed, forwarded messages kept. */
  strippedText: string;
  /** Sanitized HTML, or null when the message had none. */
  html: string | null;
  attachments: ParsedAttachment[];
  /** Attachments left out beyond `maxAttachments`. */
  droppedAttachments: number;
  calendar: CalendarInvite | null;
  /** Top-level header values by lower-case name, in message order (null prototype). */
  headers: Readonly<Record<string, readonly string[]>>;
}

/** The raw values of a top-level header, `[]` when absent. */
export function headerValues(parsed: Pick<ParsedMessage, 'headers'>, name: string): readonly string[] {
  const key = name.toLowerCase();
  return Object.prototype.hasOwnProperty.call(parsed.headers, key) ? (parsed.headers[key] ?? []) : [];
}
