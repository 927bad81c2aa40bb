import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@careflow/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARSE_LIMITS } from './parse-limits.js';
import type { ParseLimits } from './parse-limits.js';
import { parseMessage } from './parse-message.js';
import { RejectedMessageError } from './parsing.exceptions.js';

const CORPUS = path.join(REPO_ROOT, 'services/email-ingest/test/corpus');
const corpus = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => new Uint8Array(readFileSync(path.join(CORPUS, f))));
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text.replace(/\r?\n/g, '\r\n'));
const limits = (overrides: Partial<ParseLimits> = {}): ParseLimits => ({ ...DEFAULT_PARSE_LIMITS, ...overrides });

async function rejection(raw: Uint8Array, l = limits()): Promise<RejectedMessageError> {
  const error = await parseMessage(raw, l).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RejectedMessageError);
  return error as RejectedMessageError;
}

/** Parses, and fails on any error but a rejection and on anything slow. */
async function parsesOrRejects(raw: Uint8Array): Promise<void> {
  const started = performance.now();
  try {
    const parsed = await parseMessage(raw, limits({ maxAttachmentBytes: 64 * 1024 }));
    for (const value of [parsed.subject, parsed.text, parsed.strippedText, parsed.html ?? '']) {
      expect(value.includes('\u0000')).toBe(false);
      expect(value.isWellFormed()).toBe(true);
    }
  } catch (error) {
    if (!(error instanceof RejectedMessageError)) throw error;
  }
  expect(performance.now() - started).toBeLessThan(2000);
}

interface Mutation {
  op: 'flip' | 'cut' | 'insert' | 'repeat';
  at: number;
  value?: number | string;
  length?: number;
  times?: number;
}

const simple = (body: string, extra = ''): Uint8Array =>
  bytes(`From: Customer <c@example.net>\nTo: support@shop.test\nSubject: Hello\nMessage-ID: <m1@example.net>\n${extra}\n${body}`);

describe('parseMessage limits', () => {
  it('rejects 1000-deep MIME nesting fast', async () => {
    const head = 'From: a@example.net\r\nSubject: deep\r\n';
    const nested = Array.from({ length: 1000 }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`).join('');
    const started = performance.now();
    expect((await rejection(bytes(head + nested))).reason).toBe('nesting-too-deep');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('rejects a header larger than maxHeaderBytes', async () => {
    const raw = simple('body', `X-Filler: ${'a'.repeat(5000)}\n`);
    expect((await rejection(raw, limits({ maxHeaderBytes: 1000 }))).reason).toBe('headers-too-large');
  });

  it('keeps an attachment beyond maxAttachmentBytes as metadata only', async () => {
    const big = Buffer.alloc(200_000, 7).toString('base64').replace(/.{76}/g, '$&\n');
    const raw = simple(`--b\nContent-Type: text/plain\n\nSee attached.\n--b\nContent-Type: application/pdf; name=big.pdf\nContent-Transfer-Encoding: base64\n\n${big}\n--b--\n`, 'Content-Type: multipart/mixed; boundary=b\n');
    const parsed = await parseMessage(raw, limits({ maxAttachmentBytes: 100_000 }));
    expect(parsed.attachments).toEqual([expect.objectContaining({ filename: 'big.pdf', size: 200_000, omitted: 'too-large', content: new Uint8Array(0) })]);
  });

  it('drops attachments beyond maxAttachments and counts them', async () => {
    const parts = Array.from({ length: 5 }, (_, i) => `--b\nContent-Type: text/csv; name=f${i}.csv\nContent-Disposition: attachment\n\na,b\n`).join('');
    const parsed = await parseMessage(simple(`${parts}--b--\n`, 'Content-Type: multipart/mixed; boundary=b\n'), limits({ maxAttachments: 2 }));
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['f0.csv', 'f1.csv']);
    expect(parsed.droppedAttachments).toBe(3);
  });

  it('caps text and subject', async () => {
    const raw = bytes(`From: c@example.net\nSubject: ${'s'.repeat(2000)}\n\n${'word '.repeat(10_000)}`);
    const parsed = await parseMessage(raw, limits({ maxTextChars: 1000 }));
    expect(parsed.subject).toHaveLength(998);
    expect(parsed.text.length).toBeLessThanOrEqual(1000);
  });

  it('strips NUL bytes and keeps lone surrogates out', async () => {
    const parsed = await parseMessage(simple('a\u0000b &#xD800; \\uD800'), limits());
    expect(parsed.text).toBe('ab &#xD800; \\uD800');
  });

  it('normalizes message ids and drops garbage', async () => {
    const parsed = await parseMessage(bytes('From: c@example.net\nSubject: x\nMessage-ID:  <abc@host> (comment)\nIn-Reply-To: garbage without brackets\nReferences: <a@b>\n <c@d> <a@b> <no-at-sign>\n\nhi'), limits());
    expect(parsed).toMatchObject({ messageId: '<abc@host>', inReplyTo: null, references: ['<a@b>', '<c@d>'] });
  });

  it('rejects mail with nothing in it', async () => {
    expect((await rejection(bytes('From: c@example.net\n\n\n'))).reason).toBe('empty-message');
  });

  it('exposes a calendar invite', async () => {
    const ics = 'BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nDTSTART:20240612T120000Z\nSUMMARY:Review\\, Q2\nEND:VEVENT\nEND:VCALENDAR\n';
    const parsed = await parseMessage(simple(ics, 'Content-Type: text/calendar; method=REQUEST\n'), limits());
    expect(parsed.calendar).toEqual({ method: 'REQUEST', summary: 'Review, Q2', start: '20240612T120000Z' });
    expect(parsed.attachments[0]).toMatchObject({ kind: 'calendar', filename: 'attachment-1.ics' });
  });
});

describe('parseMessage on hostile input (property)', () => {
  it('throws nothing but RejectedMessageError for random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), parsesOrRejects), { numRuns: 300 });
  });

  it('throws nothing but RejectedMessageError for mutated corpus messages', async () => {
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('insert' as const), at: fc.nat(), value: fc.constantFrom('\u0000', '\r\n\r\n', '--', '=?utf-8?B?', '\r\n ', ':', '<', '>', 'Content-Type: multipart/mixed; boundary=x\r\n', '\xff\xfe', '=\r\n') }),
      fc.record({ op: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }), times: fc.integer({ min: 2, max: 50 }) }),
    );
    const apply = (raw: Uint8Array, m: Mutation): Uint8Array => {
      const at = raw.length === 0 ? 0 : m.at % raw.length;
      const buf = Buffer.from(raw);
      switch (m.op) {
        case 'flip':
          buf[at] = m.value as number;
          return buf;
        case 'cut':
          return buf.subarray(0, at);
        case 'insert':
          return Buffer.concat([buf.subarray(0, at), Buffer.from(m.value as string, 'latin1'), buf.subarray(at)]);
        default: {
          const slice = buf.subarray(at, at + (m.length ?? 1));
          return Buffer.concat([buf.subarray(0, at), ...Array.from({ length: m.times ?? 2 }, () => slice), buf.subarray(at)]);
        }
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: corpus.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 8 }), async (index, mutations) => {
        const raw = mutations.reduce<Uint8Array>((acc, m) => apply(acc, m), corpus[index] ?? new Uint8Array());
        await parsesOrRejects(raw);
      }),
      { numRuns: 300 },
    );
  });
});
