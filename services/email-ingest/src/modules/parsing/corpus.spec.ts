import { describe, expect, it } from 'vitest';
import { classify } from './classify.js';
import { dedupeKey } from './dedupe-key.js';
import { DEFAULT_PARSE_LIMITS } from './parse-limits.js';
import { parseMessage } from './parse-message.js';
import type { ParsedMessage } from './parsed-message.js';
import { RejectedMessageError } from './parsing.exceptions.js';
import { corpusMessage, loadCorpus } from '../../../test/corpus/manifest.js';

const entries = loadCorpus();
const OWN = { ownAddresses: ['support@shop.test', 'returns@shop.test', 'billing@shop.test'] };
const raw = (file: string): Uint8Array => new Uint8Array(corpusMessage(file));
const parse = (file: string): Promise<ParsedMessage> => parseMessage(raw(file), DEFAULT_PARSE_LIMITS);

describe('the mail corpus', () => {
  it('has at least 60 messages, each file once, references only to earlier messages', () => {
    expect(entries.length).toBeGreaterThanOrEqual(60);
    const seen = new Set<string>();
    for (const entry of entries) {
      expect(seen.has(entry.file), entry.file).toBe(false);
      for (const earlier of [entry.appendsTo, entry.duplicateOf].filter((f) => f !== undefined)) expect(seen.has(earlier), `${entry.file} → ${earlier}`).toBe(true);
      seen.add(entry.file);
    }
  });

  for (const entry of entries) {
    it(`${entry.file}: ${entry.description}`, async () => {
      if (entry.outcome === 'rejected') {
        const error = await parse(entry.file).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(RejectedMessageError);
        expect((error as RejectedMessageError).reason).toBe(entry.reason);
        return;
      }
      const parsed = await parse(entry.file);
      if (entry.subject !== undefined) expect(parsed.subject).toBe(entry.subject);
      expect(parsed.from.address).toBe(entry.from);
      if (entry.fromName !== undefined) expect(parsed.from.name).toBe(entry.fromName);
      for (const text of entry.textContains ?? []) expect(parsed.text).toContain(text);
      for (const text of entry.textContains ?? []) if (!(entry.strippedTextNotContains ?? []).some((t) => text.includes(t))) expect(parsed.strippedText).toContain(text);
      for (const text of entry.strippedTextNotContains ?? []) expect(parsed.strippedText).not.toContain(text);
      for (const text of entry.htmlContains ?? []) expect(parsed.html).toContain(text);
      for (const text of entry.htmlNotContains ?? []) expect(parsed.html ?? '').not.toContain(text);
      if (entry.attachments) expect(parsed.attachments.map((a) => a.filename)).toEqual(entry.attachments);
      if (entry.messageId === null) expect(parsed.messageId).toBeNull();
      if (entry.date === null) expect(parsed.date).toBeNull();
      if (entry.deliveredTo) expect(parsed.deliveredTo).toEqual(entry.deliveredTo);
      if (entry.originalTo) expect(parsed.originalTo).toEqual(entry.originalTo);
      for (const value of [parsed.subject, parsed.text, parsed.strippedText, parsed.html ?? '', parsed.from.name ?? '']) {
        expect(value).not.toContain('\u0000');
        expect(value.isWellFormed()).toBe(true);
        expect(value).not.toContain('\ufffd');
      }

      const classification = classify(parsed, OWN);
      switch (entry.outcome) {
        case 'bounce':
          expect(classification).toEqual({ kind: 'bounce', report: { originalMessageId: entry.bounce?.originalMessageId, recipients: entry.bounce?.recipients.map((r) => expect.objectContaining(r)) } });
          break;
        case 'ignored_auto_reply':
          expect(classification.kind).toBe('auto_reply');
          if (classification.kind === 'auto_reply') expect(classification.reason).toContain(entry.autoReplyReason);
          break;
        default:
          expect(classification).toEqual({ kind: 'mail', mailingList: entry.mailingList ?? false });
      }

      if (entry.appendsTo) {
        const ticket = await parse(entry.appendsTo);
        // The participant rule: only the ticket's sender appends; by headers, not ticket number.
        expect(parsed.from.address).toBe(ticket.from.address);
        expect([parsed.inReplyTo, ...parsed.references]).toContain(ticket.messageId);
      }
      if (entry.duplicateOf) expect(dedupeKey(parsed)).toBe(dedupeKey(await parse(entry.duplicateOf)));
      if (entry.outcome === 'ticket_created') {
        const others = entries.filter((e) => e !== entry && e.outcome !== 'rejected' && e.outcome !== 'duplicate');
        const keys = await Promise.all(others.map(async (e) => dedupeKey(await parse(e.file))));
        expect(keys).not.toContain(dedupeKey(parsed));
      }
    });
  }
});
