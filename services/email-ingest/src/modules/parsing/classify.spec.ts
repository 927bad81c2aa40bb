import { describe, expect, it } from 'vitest';
import { classify } from './classify.js';
import { readDeliveryStatus } from './delivery-status.js';
import { DEFAULT_PARSE_LIMITS } from './parse-limits.js';
import { parseMessage } from './parse-message.js';
import type { ParsedMessage } from './parsed-message.js';

const OWN = { ownAddresses: ['support@shop.test'] };
const parse = (headers: string, body = 'Hello'): Promise<ParsedMessage> =>
  parseMessage(new TextEncoder().encode(`From: Customer <c@example.net>\r\nTo: support@shop.test\r\nSubject: s\r\n${headers.replace(/\n/g, '\r\n')}\r\n${body}`), DEFAULT_PARSE_LIMITS);

describe('classify', () => {
  it.each([
    ['Auto-Submitted: auto-replied\n', 'auto-submitted: auto-replied'],
    ['Auto-Submitted: auto-generated; owner-email="x@y"\n', 'auto-submitted'],
    ['Precedence: bulk\n', 'precedence: bulk'],
    ['Precedence: junk\n', 'precedence: junk'],
    ['Precedence: list\n', 'precedence: list'],
    ['X-Autoreply: yes\n', 'x-autoreply'],
    ['X-Autorespond: hi\n', 'x-autorespond'],
    ['X-Auto-Response-Suppress: DR, OOF, AutoReply\n', 'x-auto-response-suppress'],
    ['X-MS-Exchange-Inbox-Rules-Loop: a@b\n', 'x-ms-exchange-inbox-rules-loop'],
  ])('%s is an automatic reply', async (headers, reason) => {
    const result = classify(await parse(headers), OWN);
    expect(result).toMatchObject({ kind: 'auto_reply' });
    if (result.kind === 'auto_reply') expect(result.reason).toContain(reason);
  });

  it.each([
    ['', false],
    ['Auto-Submitted: no\n', false],
    ['X-Auto-Response-Suppress: DR\n', false],
    ['List-Id: <buyers.lists.example>\nPrecedence: list\n', true],
    ['List-Unsubscribe: <mailto:leave@lists.example>\n', true],
  ])('%s is mail', async (headers, mailingList) => {
    expect(classify(await parse(headers), OWN)).toEqual({ kind: 'mail', mailingList });
  });

  it('recognises our own address, also with a +tag', async () => {
    const parsed = await parseMessage(new TextEncoder().encode('From: Support+VIP@Shop.Test\r\nSubject: x\r\n\r\nx'), DEFAULT_PARSE_LIMITS);
    expect(classify(parsed, OWN)).toEqual({ kind: 'auto_reply', reason: 'from-own-address' });
  });

  it('decides a delivery report is a bounce before anything else', async () => {
    const report = 'Content-Type: multipart/report; report-type="delivery-status"; boundary=r\nAuto-Submitted: auto-replied\nPrecedence: bulk\n';
    const body = '--r\nContent-Type: text/plain\n\nfailed\n--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; <A@Example.net>\nAction: failed\nStatus: 5.1.1 (user unknown)\n\n--r\nContent-Type: text/rfc822-headers\n\nMessage-ID: <orig@shop.test>\nSubject: x\n\n--r--\n';
    expect(classify(await parse(report, body.replace(/\n/g, '\r\n')), OWN)).toEqual({
      kind: 'bounce',
      report: { originalMessageId: '<orig@shop.test>', recipients: [{ address: 'a@example.net', status: '5.1.1', action: 'failed', diagnostic: null, permanent: true }] },
    });
  });

  it('calls a read receipt an automatic reply', async () => {
    const parsed = await parse('Content-Type: multipart/report; report-type=disposition-notification; boundary=r\n', '--r\nContent-Type: text/plain\n\nread\n--r--\n');
    expect(classify(parsed, OWN)).toEqual({ kind: 'auto_reply', reason: 'report: disposition-notification' });
  });
});

describe('readDeliveryStatus', () => {
  it('reads every recipient block, folded fields included', () => {
    const body = [
      'Reporting-MTA: dns; mx.example',
      '',
      'Original-Recipient: rfc822;first@example.net',
      'Action: delayed',
      'Status: 4.4.7',
      'Diagnostic-Code: smtp; 451 4.4.7 timed',
      '  out',
      '',
      'Final-Recipient: RFC822; second@example.net',
      'Action: Failed',
      'Status: 5.2.2',
      '',
      'Final-Recipient: rfc822; third@example.net',
      'Action: failed',
      '',
    ].join('\r\n');
    expect(readDeliveryStatus(body)).toEqual([
      { address: 'first@example.net', status: '4.4.7', action: 'delayed', diagnostic: '451 4.4.7 timed out', permanent: false },
      { address: 'second@example.net', status: '5.2.2', action: 'failed', diagnostic: null, permanent: true },
      { address: 'third@example.net', status: null, action: 'failed', diagnostic: null, permanent: false },
    ]);
  });
});
