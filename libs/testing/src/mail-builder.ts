import { randomUUID } from 'node:crypto';

export interface TestMail {
  from: string;
  to?: string | string[];
  cc?: string[];
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string[];
  text?: string;
  html?: string;
  date?: string;
  /** Extra header lines, `Name: value`. */
  headers?: string[];
  attachments?: Array<{ filename: string; contentType: string; content: Buffer }>;
}

/**
 * A raw RFC 5322 message for tests, as a mail client writes one: UTF-8 bodies in
 * quoted-printable-free base64, RFC 2047 subjects, multipart/alternative and mixed as needed.
 * Enough MIME to write test mail; reading mail is the parser's job, never this.
 */
export function buildMail(m: TestMail): Buffer {
  const boundary = (kind: string) => `=_${kind}_${randomUUID().replace(/-/g, '')}`;
  const lines: string[] = [
    `From: ${m.from}`,
    `To: ${[m.to ?? 'support@shop.test'].flat().join(', ')}`,
    ...(m.cc?.length ? [`Cc: ${m.cc.join(', ')}`] : []),
    `Subject: ${encodeWord(m.subject ?? '')}`,
    `Date: ${m.date ?? new Date().toUTCString().replace('GMT', '+0000')}`,
    ...(m.messageId === null ? [] : [`Message-ID: ${m.messageId ?? `<${randomUUID()}@client.example>`}`]),
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`] : []),
    ...(m.references?.length ? [`References: ${m.references.join(' ')}`] : []),
    ...(m.headers ?? []),
    'MIME-Version: 1.0',
  ];
  const textPart = (type: string, body: string) => [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(body, 'utf8'))];
  const alternative = (): string[] => {
    if (m.html === undefined) return textPart('text/plain', m.text ?? '');
    const b = boundary('alt');
    return [
      `Content-Type: multipart/alternative; boundary="${b}"`,
      '',
      `--${b}`,
      ...textPart('text/plain', m.text ?? ''),
      `--${b}`,
      ...textPart('text/html', m.html),
      `--${b}--`,
    ];
  };
  let body: string[];
  if (m.attachments?.length) {
    const b = boundary('mixed');
    body = [`Content-Type: multipart/mixed; boundary="${b}"`, '', `--${b}`, ...alternative()];
    for (const a of m.attachments) {
      body.push(`--${b}`, `Content-Type: ${a.contentType}; name="${a.filename}"`, `Content-Disposition: attachment; filename="${a.filename}"`, 'Content-Transfer-Encoding: base64', '', base64Lines(a.content));
    }
    body.push(`--${b}--`);
  } else {
    body = alternative();
  }
  return Buffer.from([...lines, ...body, ''].join('\r\n'), 'utf8');
}

function encodeWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function base64Lines(content: Buffer): string {
  return (content.toString('base64').match(/.{1,76}/g) ?? ['']).join('\r\n');
}
