/** Bounds on what one parsed message may hold; everything beyond them is cut or left out, never a crash. */
export interface ParseLimits {
  /** MIME part nesting; deeper mail is rejected (`nesting-too-deep`). */
  maxNestingDepth: number;
  /** Header bytes of all parts together; more is rejected (`headers-too-large`). */
  maxHeaderBytes: number;
  /** An attachment larger than this keeps its metadata only (`omitted: 'too-large'`). */
  maxAttachmentBytes: number;
  /** Attachments beyond this count are dropped (counted in `droppedAttachments`). */
  maxAttachments: number;
  /** Cap on `text` and `strippedText`. */
  maxTextChars: number;
  /** Cap on the sanitized `html`; longer HTML is dropped (a cut would leave broken markup). */
  maxHtmlChars: number;
  /** Cap on the subject; 998 is the RFC 5322 line limit. */
  maxSubjectChars: number;
}

export const DEFAULT_PARSE_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxNestingDepth: 50,
  maxHeaderBytes: 256 * 1024,
  maxAttachmentBytes: 15 * 1024 * 1024,
  maxAttachments: 50,
  maxTextChars: 200_000,
  maxHtmlChars: 1_000_000,
  maxSubjectChars: 998,
});
