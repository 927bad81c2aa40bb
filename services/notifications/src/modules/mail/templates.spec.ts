import { describe, expect, it } from 'vitest';
import { chooseLocale, escapeHtml, renderMail, type MailKind, type MailLocale, type MailParams, type ShipmentMailParams } from './templates.js';

const shipment: ShipmentMailParams = {
  shopName: 'Cửa hàng Hoa Sen',
  customerName: 'Nguyễn Văn An',
  orderExternalId: 'ORD-1001',
  carrierName: 'Giao Hàng Nhanh (GHN)',
  trackingNumber: 'GYCYQNYM',
  trackingUrl: 'https://donhang.ghn.vn/?order_code=GYCYQNYM',
  description: null,
  occurredAt: new Date('2025-11-24T04:05:00Z'),
};

const EXAMPLES: { [K in MailKind]: MailParams<K> } = {
  shipment_created: shipment,
  shipment_in_transit: shipment,
  shipment_out_for_delivery: shipment,
  shipment_delivered: shipment,
  shipment_exception: { ...shipment, status: 'failed_attempt', description: 'Người nhận không nghe máy' },
  ticket_acknowledged: {
    shopName: 'Lumi Store',
    customerName: 'Mari Tamm',
    ticketNumber: 1042,
    subject: 'Where is my parcel?',
    firstResponseDueAt: new Date('2025-11-24T14:30:00Z'),
  },
  ticket_reply: {
    shopName: 'Lumi Store',
    customerName: 'Mari Tamm',
    ticketNumber: 1042,
    subject: 'Where is my parcel?',
    body: 'Your parcel left our warehouse today.\nIt should arrive on Friday.',
    agentName: 'Kati',
  },
  webhook_endpoint_disabled: {
    shopName: 'Lumi Store',
    endpointId: '5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
    url: 'https://shop.example.com/careflow/webhooks',
    reason: 'receiver answered 410 Gone',
    disabledAt: new Date('2025-11-24T14:30:00Z'),
  },
};

const KINDS = Object.keys(EXAMPLES) as MailKind[];
const LOCALES: MailLocale[] = ['en', 'vi'];

function render<K extends MailKind>(kind: K, locale: MailLocale, overrides: Partial<MailParams<K>> = {}) {
  return renderMail(kind, locale, { ...EXAMPLES[kind], ...overrides });
}

describe('renderMail', () => {
  for (const kind of KINDS) {
    for (const locale of LOCALES) {
      it(`renders ${kind} in ${locale}: subject, text and HTML`, () => {
        const mail = render(kind, locale);
        expect(mail.subject.length).toBeGreaterThan(5);
        expect(mail.subject).not.toMatch(/[\r\n]|undefined|null/);
        expect(mail.text).not.toMatch(/undefined|null|\[object/);
        expect(mail.html).not.toMatch(/undefined|null|\[object/);
        expect(mail.html).toMatch(/^<!DOCTYPE html>/);
        expect(mail.html).toContain(`<html lang="${locale}">`);
        // Customer mail greets the customer by name (the administrator's mail has no customer).
        const example = EXAMPLES[kind];
        if ('customerName' in example && example.customerName) expect(mail.text).toContain(example.customerName);
      });
    }
  }

  it('writes Vietnamese, with its diacritics, for vi', () => {
    expect(render('shipment_created', 'vi').subject).toBe('Đơn hàng ORD-1001 từ Cửa hàng Hoa Sen đã được gửi đi');
    expect(render('shipment_created', 'vi').text).toContain('Xin chào Nguyễn Văn An,');
    expect(render('shipment_created', 'vi').text).toContain('Mã vận đơn: GYCYQNYM');
    expect(render('shipment_out_for_delivery', 'vi').subject).toBe('Đơn hàng ORD-1001 đang được giao đến bạn');
    expect(render('shipment_delivered', 'vi').subject).toBe('Đơn hàng ORD-1001 đã được giao thành công');
    expect(render('shipment_exception', 'vi').subject).toBe('Giao đơn hàng ORD-1001 không thành công');
    expect(render('ticket_acknowledged', 'vi').subject).toBe('[#1042] Chúng tôi đã nhận được yêu cầu của bạn: Where is my parcel?');
    expect(render('ticket_reply', 'vi').text).toContain('Bộ phận chăm sóc khách hàng Lumi Store');
    for (const kind of KINDS) expect(render(kind, 'en').text).not.toMatch(/Xin chào|Cảm ơn|Trân trọng/);
  });

  it('greets without a name when the customer has none', () => {
    expect(render('shipment_created', 'en', { customerName: null }).text).toMatch(/^Hello,\n/);
    expect(render('shipment_created', 'vi', { customerName: '  ' }).text).toMatch(/^Xin chào bạn,\n/);
  });

  describe('shipment notices', () => {
    it('link the tracking page in HTML and show the URL in text', () => {
      const mail = render('shipment_created', 'en');
      expect(mail.subject).toBe('Your order ORD-1001 from Cửa hàng Hoa Sen has shipped');
      expect(mail.html).toContain('<a href="https://donhang.ghn.vn/?order_code=GYCYQNYM"');
      expect(mail.text).toContain('Track your parcel: https://donhang.ghn.vn/?order_code=GYCYQNYM');
      expect(mail.text).toContain('Carrier: Giao Hàng Nhanh (GHN)\nTracking number: GYCYQNYM\nTime: ');
    });

    it('escape the tracking URL inside the href', () => {
      const mail = render('shipment_created', 'en', { trackingUrl: 'https://x.test/t?a=1&b="2"' });
      expect(mail.html).toContain('<a href="https://x.test/t?a=1&amp;b=%222%22"');
    });

    it('show no link at all without a tracking URL, only the number', () => {
      for (const locale of LOCALES) {
        const mail = render('shipment_created', locale, { trackingUrl: null });
        expect(mail.html).not.toContain('<a ');
        expect(mail.text).not.toContain('http');
        expect(mail.text).toContain('GYCYQNYM');
      }
    });

    it('treat a non-http(s) tracking URL as none', () => {
      const mail = render('shipment_created', 'en', { trackingUrl: 'javascript:alert(1)' });
      expect(mail.html).not.toContain('<a ');
      expect(mail.html).not.toContain('javascript');
      expect(mail.text).not.toContain('javascript');
    });

    it('say when the event happened, in UTC', () => {
      expect(render('shipment_delivered', 'en').text).toContain('Time: Monday, 24 November 2025 at 04:05 UTC');
      expect(render('shipment_delivered', 'vi').text).toContain('Thời gian: 04:05 UTC, Thứ Hai, 24 tháng 11, 2025');
      expect(render('shipment_delivered', 'en', { occurredAt: undefined }).text).not.toContain('Time:');
    });

    it.each([
      ['exception', 'A problem with the delivery of your order ORD-1001', 'Có sự cố khi giao đơn hàng ORD-1001'],
      ['failed_attempt', 'Delivery attempt failed for your order ORD-1001', 'Giao đơn hàng ORD-1001 không thành công'],
      ['returned', 'Your order ORD-1001 is being returned to Cửa hàng Hoa Sen', 'Đơn hàng ORD-1001 đang được hoàn về Cửa hàng Hoa Sen'],
    ] as const)('word a %s as what it is', (status, en, vi) => {
      expect(render('shipment_exception', 'en', { status }).subject).toBe(en);
      expect(render('shipment_exception', 'vi', { status }).subject).toBe(vi);
    });

    it("quote the carrier's note", () => {
      expect(render('shipment_exception', 'vi').text).toContain('Ghi chú từ đơn vị vận chuyển:\nNgười nhận không nghe máy');
      expect(render('shipment_exception', 'en', { description: '' }).text).not.toContain('Note from the carrier');
    });
  });

  describe('ticket mail', () => {
    it('tags the acknowledgement subject with [#n] and promises the response time', () => {
      const mail = render('ticket_acknowledged', 'en');
      expect(mail.subject).toBe('[#1042] We received your request: Where is my parcel?');
      expect(mail.text).toContain('We will get back to you by Monday, 24 November 2025 at 14:30 UTC.');
      expect(render('ticket_acknowledged', 'vi').text).toContain('Chúng tôi sẽ phản hồi bạn trước 14:30 UTC, Thứ Hai, 24 tháng 11, 2025.');
    });

    it('answers replies as Re: [#n] <subject>', () => {
      expect(render('ticket_reply', 'en').subject).toBe('Re: [#1042] Where is my parcel?');
      expect(render('ticket_reply', 'vi').subject).toBe('Re: [#1042] Where is my parcel?');
    });

    it('never doubles Re: or the ticket tag', () => {
      for (const subject of ['Re: Where is my parcel?', 'RE: re: [#1042] Where is my parcel?', 'Fwd: Re:[#1042]  Where is my\r\nparcel?']) {
        expect(render('ticket_reply', 'en', { subject }).subject).toBe('Re: [#1042] Where is my parcel?');
        expect(render('ticket_acknowledged', 'en', { subject }).subject).toBe('[#1042] We received your request: Where is my parcel?');
      }
    });

    it('keeps only its own ticket tag, so a reply cannot thread onto another ticket', () => {
      expect(render('ticket_reply', 'en', { subject: '[#7] Re: [#1041] Broken lamp' }).subject).toBe('Re: [#1042] Broken lamp');
    });

    it('names a ticket without a subject', () => {
      expect(render('ticket_reply', 'en', { subject: 'Re: [#1042]' }).subject).toBe('Re: [#1042] (no subject)');
      expect(render('ticket_acknowledged', 'vi', { subject: ' ' }).subject).toContain('(không có tiêu đề)');
    });

    it("keeps the agent's line breaks: <br> in HTML, newlines in text", () => {
      const mail = render('ticket_reply', 'en', { body: 'Line one\r\nLine two\n\nLine four' });
      expect(mail.html).toContain('Line one<br>\nLine two<br>\n<br>\nLine four');
      expect(mail.text).toContain('Line one\nLine two\n\nLine four');
      expect(mail.text).toContain('Kati\nLumi Store customer care');
    });

    it('signs for the team when the agent has no name', () => {
      expect(render('ticket_reply', 'en', { agentName: null }).text).toContain('\n\nLumi Store customer care\n');
    });
  });

  describe('HTML escaping', () => {
    const evil = '<script>alert("x")</script>';

    it.each(KINDS.filter((kind) => 'customerName' in EXAMPLES[kind]))('escapes the customer name in %s', (kind) => {
      const mail = render(kind, 'en', { customerName: evil });
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(mail.text).toContain(evil);
    });

    it('escapes a disabled webhook endpoint\'s URL and reason (a receiver\'s words may end up there)', () => {
      const mail = render('webhook_endpoint_disabled', 'en', { url: `https://x.test/${evil}`, reason: evil });
      expect(mail.html).not.toContain('<script>');
      expect(mail.text).toContain(evil);
    });

    it('escapes the ticket subject, in the body and in <title>', () => {
      for (const kind of ['ticket_acknowledged', 'ticket_reply'] as const) {
        const mail = render(kind, 'en', { subject: evil });
        expect(mail.html).not.toContain('<script>');
        expect(mail.html).toContain('<title>');
        expect(mail.subject).toContain(evil);
      }
    });

    it('escapes the reply body and the agent name', () => {
      const mail = render('ticket_reply', 'vi', { body: `${evil}\n<img src=x onerror=alert(1)>`, agentName: '<b>Kati</b>' });
      expect(mail.html).not.toMatch(/<script>|<img|<b>/);
      expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    });

    it('escapes shop, order, carrier and carrier-note text', () => {
      const mail = render('shipment_exception', 'en', {
        shopName: 'A&B <Shop>',
        orderExternalId: '"><script>',
        carrierName: '<i>GHN</i>',
        trackingNumber: "<'>",
        description: evil,
      });
      expect(mail.html).not.toMatch(/<script>|<i>|<'>|<Shop>/);
      expect(mail.html).toContain('A&amp;B &lt;Shop&gt;');
    });
  });
});

describe('chooseLocale', () => {
  it.each([
    ['vi', 'vi'],
    ['vi-VN', 'vi'],
    ['VI_vn', 'vi'],
    ['en', 'en'],
    ['en-US', 'en'],
    ['et-EE', 'en'],
    ['', 'en'],
    [null, 'en'],
    [undefined, 'en'],
    ['video', 'en'],
  ] as const)('%s → %s', (tag, locale) => {
    expect(chooseLocale(tag)).toBe(locale);
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('Đơn hàng 123')).toBe('Đơn hàng 123');
  });
});
