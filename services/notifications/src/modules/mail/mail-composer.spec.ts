import { ticketIdOfMessageId } from '@careflow/contracts';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import {
  addressOf,
  composeMail,
  domainOf,
  generateMessageId,
  InvalidRecipientError,
  referencesChain,
  renderMessage,
  sanitizeHeaderValue,
  type ComposeMailInput,
} from './mail-composer.js';

const base: ComposeMailInput = {
  from: 'Support <support@shop.test>',
  to: { address: 'mari@example.com', name: 'Mari Tamm' },
  subject: 'Re: [#1042] Where is my parcel?',
  text: 'Hello Mari,\n\nYour parcel left today.\n',
  html: '<p>Hello Mari,</p><p>Your parcel left today.</p>',
  messageId: '<c0ffee@shop.test>',
};

/** The message as it would go over SMTP, rendered by nodemailer itself (no network). */
async function raw(message: SendMailOptions): Promise<{ headers: string; lines: string[]; all: string }> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await transport.sendMail(message);
  const all = (info.message as Buffer).toString('utf8');
  const headers = all.slice(0, all.indexOf('\n\n'));
  // Unfold continuation lines, so each entry is one whole header.
  const lines = headers.replace(/\n[ \t]+/g, ' ').split('\n');
  return { headers, lines, all };
}

function headerLines(lines: string[], name: string): string[] {
  return lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
}

describe('composeMail', () => {
  it('builds a message nodemailer sends as given', async () => {
    const { lines, all } = await raw(composeMail({ ...base, replyTo: 'Team EU <eu@shop.test>' }));
    expect(headerLines(lines, 'From')).toEqual(['From: Support <support@shop.test>']);
    expect(headerLines(lines, 'To')).toEqual(['To: Mari Tamm <mari@example.com>']);
    expect(headerLines(lines, 'Reply-To')).toEqual(['Reply-To: Team EU <eu@shop.test>']);
    expect(headerLines(lines, 'Subject')).toEqual(['Subject: Re: [#1042] Where is my parcel?']);
    expect(headerLines(lines, 'Message-ID')).toEqual(['Message-ID: <c0ffee@shop.test>']);
    expect(headerLines(lines, 'Auto-Submitted')).toEqual([]);
    expect(all).toContain('Content-Type: multipart/alternative');
    expect(all).toContain('Your parcel left today.');
  });

  it('does not let a line break in the subject add a header', async () => {
    const message = composeMail({ ...base, subject: 'Hi\r\nBcc: victim@example.com' });
    expect(message.subject).toBe('Hi Bcc: victim@example.com');
    const { lines } = await raw(message);
    expect(headerLines(lines, 'Bcc')).toEqual([]);
    expect(headerLines(lines, 'Subject')).toHaveLength(1);
    expect(headerLines(lines, 'Subject')[0]).toBe('Subject: Hi Bcc: victim@example.com');
  });

  it('does not let a line break in a display name add a header', async () => {
    const message = composeMail({ ...base, to: { address: 'eve@example.com', name: 'Eve\r\nBcc: x@y' } });
    const { lines } = await raw(message);
    expect(headerLines(lines, 'Bcc')).toEqual([]);
    expect(headerLines(lines, 'To')).toHaveLength(1);
    expect(headerLines(lines, 'To')[0]).toContain('<eve@example.com>');
    expect(headerLines(lines, 'Subject')).toHaveLength(1);
  });

  it('does not let the sender or reply-to name add a header either', async () => {
    const message = composeMail({
      ...base,
      from: 'Support\nBcc: a@b.test <support@shop.test>',
      replyTo: 'EU\r\nX-Evil: 1 <eu@shop.test>',
    });
    const { lines } = await raw(message);
    expect(headerLines(lines, 'Bcc')).toEqual([]);
    expect(headerLines(lines, 'X-Evil')).toEqual([]);
    expect(headerLines(lines, 'From')).toHaveLength(1);
  });

  it('passes names as address objects, which nodemailer quotes and encodes', async () => {
    const message = composeMail({ ...base, to: { address: 'an@example.vn', name: 'Nguyễn, Văn "An" <boss>' } });
    expect(message.to).toEqual({ name: 'Nguyễn, Văn "An" <boss>', address: 'an@example.vn' });
    const { lines } = await raw(message);
    const [to] = headerLines(lines, 'To');
    expect(to).toMatch(/^To: =\?UTF-8\?.+\?= <an@example\.vn>$/);
    expect(to!.match(/@/g)).toHaveLength(1);
  });

  it('sends to the bare address when there is no name', async () => {
    const { lines } = await raw(composeMail({ ...base, to: { address: 'mari@example.com', name: null } }));
    expect(headerLines(lines, 'To')).toEqual(['To: mari@example.com']);
  });

  it('threads replies: In-Reply-To and References', async () => {
    const message = composeMail({
      ...base,
      inReplyTo: '<second@shop.test>',
      references: ['<first@shop.test>', '<second@shop.test>'],
    });
    const { lines } = await raw(message);
    expect(headerLines(lines, 'In-Reply-To')).toEqual(['In-Reply-To: <second@shop.test>']);
    expect(headerLines(lines, 'References')).toEqual(['References: <first@shop.test> <second@shop.test>']);
    expect(headerLines(lines, 'Message-ID')).toEqual(['Message-ID: <c0ffee@shop.test>']);
  });

  it('puts the parent into References even when only In-Reply-To was given', () => {
    const message = composeMail({ ...base, inReplyTo: 'parent@shop.test' });
    expect(message.inReplyTo).toBe('<parent@shop.test>');
    expect(message.references).toEqual(['<parent@shop.test>']);
  });

  it('leaves threading headers out of a first message', async () => {
    const message = composeMail({ ...base, inReplyTo: null, references: [] });
    expect(message).not.toHaveProperty('inReplyTo');
    expect(message).not.toHaveProperty('references');
    const { lines } = await raw(message);
    expect(headerLines(lines, 'In-Reply-To')).toEqual([]);
    expect(headerLines(lines, 'References')).toEqual([]);
  });

  it('drops References entries that are not plain Message-IDs', async () => {
    const message = composeMail({ ...base, references: ['<ok@shop.test>', '<a@b>\r\nBcc: x@y', 'not an id', '<\nsplit@shop.test>', '<\u0000@x>'] });
    expect(message.references).toEqual(['<ok@shop.test>']);
    const { lines } = await raw(message);
    expect(headerLines(lines, 'Bcc')).toEqual([]);
  });

  it('marks automatic notices Auto-Submitted, and only those', async () => {
    const { lines } = await raw(composeMail({ ...base, autoGenerated: true }));
    expect(headerLines(lines, 'Auto-Submitted')).toEqual(['Auto-Submitted: auto-generated']);
    expect(composeMail({ ...base, autoGenerated: false })).not.toHaveProperty('headers');
  });

  it.each([
    'not-an-address',
    'two@@example.com',
    'a@b@example.com',
    'with space@example.com',
    'mari@example.com, eve@example.com',
    'mari@example.com\r\nBcc: eve@example.com',
    'Mari <mari@example.com>',
    '<mari@example.com>,eve@example.com',
    'mari@',
    '@example.com',
    'mari@example..com',
    '',
  ])('refuses the recipient %j', (address) => {
    expect(() => composeMail({ ...base, to: { address, name: null } })).toThrow(InvalidRecipientError);
  });

  it('refuses a missing recipient address, and a bad reply-to', () => {
    expect(() => composeMail({ ...base, to: { address: null, name: 'Mari' } })).toThrow(InvalidRecipientError);
    const error = (() => {
      try {
        composeMail({ ...base, replyTo: 'eu@shop.test, eve@example.com' });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(InvalidRecipientError);
    expect(error).toMatchObject({ code: 'invalid-recipient', field: 'replyTo' });
  });

  it('accepts the addresses shoppers really have', () => {
    for (const address of ['an.nguyen+shop@example.vn', "o'brien@example.ie", 'mari_tamm@mail.ee', 'user@localhost', 'đức@ví-dụ.vn']) {
      expect(composeMail({ ...base, to: { address, name: null } }).to).toEqual({ name: '', address });
    }
  });
});

describe('sanitizeHeaderValue', () => {
  it('replaces every run of control characters with one space', () => {
    expect(sanitizeHeaderValue('Hi\r\nBcc: x@y')).toBe('Hi Bcc: x@y');
    expect(sanitizeHeaderValue('a\tb\u0000c\u007fd\u0085e\u2028f')).toBe('a b c d e f');
    expect(sanitizeHeaderValue('\n  Đơn hàng  ORD-1 \r')).toBe('Đơn hàng  ORD-1');
  });
});

describe('addressOf and domainOf', () => {
  it('read the configured sender', () => {
    expect(addressOf('Support <support@shop.test>')).toBe('support@shop.test');
    expect(addressOf('"Support, EU" <eu@Shop.Test>')).toBe('eu@Shop.Test');
    expect(addressOf('support@shop.test')).toBe('support@shop.test');
    expect(domainOf('Support <support@Shop.Test>')).toBe('shop.test');
  });

  it('refuse a sender that is not an address', () => {
    expect(() => domainOf('Support')).toThrow(RangeError);
    expect(() => domainOf('Support <>')).toThrow(RangeError);
  });
});

describe('generateMessageId', () => {
  it('mints unique <id@domain> ids', () => {
    const a = generateMessageId('shop.test');
    const b = generateMessageId(domainOf('Support <support@shop.test>'));
    expect(a).toMatch(/^<[0-9a-f-]{36}@shop\.test>$/);
    expect(b).not.toBe(a);
  });

  it('carries the ticket id in mail about a ticket, so a reply threads back to it', () => {
    const ticketId = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
    const id = generateMessageId('Shop.Test', ticketId);
    expect(id).toMatch(/^<cf\.3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b\.[0-9a-f]+@shop\.test>$/);
    expect(ticketIdOfMessageId(id)).toBe(ticketId);
    expect(generateMessageId('shop.test', ticketId)).not.toBe(id);
    expect(ticketIdOfMessageId(generateMessageId('shop.test'))).toBeNull();
  });

  it('refuses a domain that would break the header', () => {
    expect(() => generateMessageId('shop.test>\r\nBcc: x@y', '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b')).toThrow(RangeError);
    expect(() => generateMessageId('shop.test>\r\nBcc: x@y')).toThrow(RangeError);
    expect(() => generateMessageId('')).toThrow(RangeError);
  });
});

describe('referencesChain', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `<m${i + 1}@shop.test>`);

  it('is the previous chain plus the parent', () => {
    expect(referencesChain(['<a@x>', '<b@x>'], '<c@x>')).toEqual(['<a@x>', '<b@x>', '<c@x>']);
    expect(referencesChain([], '<a@x>')).toEqual(['<a@x>']);
    expect(referencesChain(['<a@x>'])).toEqual(['<a@x>']);
    expect(referencesChain([])).toEqual([]);
  });

  it('adds angle brackets and drops repeats', () => {
    expect(referencesChain(['a@x', '<b@x>', '<a@x>'], 'b@x')).toEqual(['<a@x>', '<b@x>']);
  });

  it('keeps the first id and the latest ones, at most 20', () => {
    const chain = referencesChain(ids(30), '<parent@shop.test>');
    expect(chain).toHaveLength(20);
    expect(chain[0]).toBe('<m1@shop.test>');
    expect(chain[1]).toBe('<m13@shop.test>');
    expect(chain.at(-2)).toBe('<m30@shop.test>');
    expect(chain.at(-1)).toBe('<parent@shop.test>');
    expect(referencesChain(ids(20))).toEqual(ids(20));
  });
});

describe('renderMessage', () => {
  /** Both renderings of one mail, parsed by mailparser as a receiving client would. */
  async function both(input: ComposeMailInput): Promise<{ ours: ParsedMail; theirs: ParsedMail; raw: string }> {
    const mail = composeMail(input);
    const { raw: bytes } = renderMessage(mail, new Date('2026-11-23T10:00:00Z'));
    const theirs = (await raw({ ...mail, date: new Date('2026-11-23T10:00:00Z') })).all;
    return { ours: await simpleParser(bytes), theirs: await simpleParser(theirs), raw: bytes.toString('utf8') };
  }

  const vietnamese: ComposeMailInput = {
    ...base,
    to: { address: 'an@example.vn', name: 'Nguyễn, Văn "An" <boss>' },
    replyTo: 'Chăm sóc khách hàng <cskh@shop.test>',
    subject: `Đơn hàng ord_1042 đang được giao — ${'rất dài '.repeat(12)}`,
    text: 'Xin chào An,\n\nĐơn hàng của bạn đang được giao.\n.\nMột dòng bắt đầu bằng dấu chấm.\n',
    html: '<p>Xin chào An,</p><p>Đơn hàng của bạn đang được giao.</p>',
    inReplyTo: '<second@shop.test>',
    references: Array.from({ length: 20 }, (_, i) => `<m${i}-${'x'.repeat(20)}@shop.test>`),
    autoGenerated: true,
  };

  it.each([
    ['plain English', base],
    ['Vietnamese names and text, long subject and References, Auto-Submitted', vietnamese],
    ['mostly non-Latin text (base64)', { ...base, text: 'Đây là thư. '.repeat(3) + 'ỹỹỹỹỹỹỹỹỹỹỹỹỹỹỹỹỹỹỹỹ', subject: 'Ưu đãi' }],
    ['a long ASCII line (quoted-printable)', { ...base, text: `${'a'.repeat(200)}\n` }],
    ['no display name', { ...base, to: { address: 'mari@example.com', name: null } }],
    ['an internationalised domain', { ...base, to: { address: 'mari@bücher.example', name: 'Mari' } }],
  ])('reads the same as nodemailer\'s rendering: %s', async (_label, input) => {
    const { ours, theirs, raw: text } = await both(input);
    expect(ours.from?.value).toEqual(theirs.from?.value);
    expect(ours.to).toEqual(theirs.to);
    expect(ours.replyTo?.value).toEqual(theirs.replyTo?.value);
    expect(ours.subject).toBe(theirs.subject);
    expect(ours.messageId).toBe(theirs.messageId);
    expect(ours.inReplyTo).toBe(theirs.inReplyTo);
    expect(ours.references).toEqual(theirs.references);
    expect(ours.headers.get('auto-submitted')).toEqual(theirs.headers.get('auto-submitted'));
    expect(ours.date).toEqual(theirs.date);
    expect(ours.text).toBe(theirs.text);
    expect(ours.html).toBe(theirs.html);
    // Wire format: CRLF only, no line over 78 characters in the headers, none over 998 anywhere.
    expect(text).not.toMatch(/[^\r]\n/);
    const [head] = text.split('\r\n\r\n');
    expect(head!.split('\r\n').every((l) => l.length <= 78)).toBe(true);
    expect(text.split('\r\n').every((l) => l.length <= 998)).toBe(true);
  });

  it('gives the envelope the bare addresses, the domain in ASCII', () => {
    const { envelope } = renderMessage(composeMail({ ...base, to: { address: 'mari@bücher.example', name: 'Mari' } }));
    expect(envelope).toEqual({ from: 'support@shop.test', to: ['mari@xn--bcher-kva.example'] });
  });

  it('keeps injected line breaks out of the headers', async () => {
    const { ours, raw: text } = await both({ ...base, subject: 'Hi\r\nBcc: victim@example.com', to: { address: 'eve@example.com', name: 'Eve\r\nBcc: x@y' } });
    const head = text.split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
    expect(headerLines(head, 'Bcc')).toEqual([]);
    expect(headerLines(head, 'Subject')).toEqual(['Subject: Hi Bcc: victim@example.com']);
    expect(ours.bcc).toBeUndefined();
    expect(ours.to).toMatchObject({ value: [{ address: 'eve@example.com', name: 'Eve Bcc: x@y' }] });
  });
});
