import type { ShipmentStatus } from '@careflow/contracts';

/**
 * Every e-mail the platform sends a shopper, in English and Vietnamese, as plain code: a
 * template is a function of typed params, so a missing field fails to compile rather than
 * rendering "undefined" to a customer. Each mail has a text part and an HTML part saying the
 * same thing; in HTML every interpolated value is escaped, since names, subjects and comment
 * bodies come from shoppers and agents.
 */

export type MailLocale = 'en' | 'vi';

/** The statuses that send a `shipment_exception` notice; each says what went wrong. */
export type ShipmentProblem = Extract<ShipmentStatus, 'exception' | 'failed_attempt' | 'returned'>;

export interface ShipmentMailParams {
  shopName: string;
  customerName: string | null;
  orderExternalId: string;
  /** As shoppers know it ("Giao Hàng Nhanh (GHN)"), not the internal code. */
  carrierName: string;
  trackingNumber: string;
  /** Only http(s) links are shown; anything else is treated as no link. */
  trackingUrl: string | null;
  /** The carrier's own words about the event, when it gave any. */
  description?: string | null;
  occurredAt?: Date;
  /** The event's status; only `shipment_exception` reads it (to say which problem it is). */
  status?: ShipmentStatus;
}

export interface TicketAcknowledgedParams {
  shopName: string;
  customerName: string | null;
  ticketNumber: number;
  subject: string;
  /** The first-response target the shopper is promised. */
  firstResponseDueAt: Date;
}

export interface TicketReplyParams {
  shopName: string;
  customerName: string | null;
  ticketNumber: number;
  subject: string;
  /** The agent's public comment, plain text. */
  body: string;
  agentName: string | null;
}

/** To the shop's administrator: a webhook endpoint was disabled and receives nothing until re-enabled. */
export interface WebhookEndpointDisabledParams {
  shopName: string;
  endpointId: string;
  /** The endpoint's URL without its query (which may carry a token). */
  url: string;
  reason: string;
  disabledAt: Date;
}

/** Params by mail kind: the kind picks the shape, so each call site is checked. */
export interface MailParamsByKind {
  shipment_created: ShipmentMailParams;
  shipment_in_transit: ShipmentMailParams;
  shipment_out_for_delivery: ShipmentMailParams;
  shipment_delivered: ShipmentMailParams;
  /** exception, failed_attempt and returned share one template; `status` says which. */
  shipment_exception: ShipmentMailParams & { status: ShipmentProblem };
  ticket_acknowledged: TicketAcknowledgedParams;
  ticket_reply: TicketReplyParams;
  webhook_endpoint_disabled: WebhookEndpointDisabledParams;
}

export type MailKind = keyof MailParamsByKind;

export type MailParams<K extends MailKind = MailKind> = MailParamsByKind[K];

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function renderMail<K extends MailKind>(kind: K, locale: MailLocale, params: MailParams<K>): RenderedMail {
  const render: Renderer<K> = RENDERERS[kind];
  return render(params, locale);
}

/** The mail locale for a customer's locale tag: by language ('vi-VN' → vi), English otherwise. */
export function chooseLocale(locale: string | null | undefined): MailLocale {
  const language = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return language === 'vi' ? 'vi' : 'en';
}

/** Text made safe to place in HTML content and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

type Renderer<K extends MailKind> = (params: MailParams<K>, locale: MailLocale) => RenderedMail;

/**
 * One block of a mail: a paragraph, a labelled value or a link. Templates are written as a list
 * of blocks once, and `assemble` turns the same list into the text part and the HTML part, so
 * the two cannot drift apart.
 */
type Block =
  /** Line breaks are kept (a reply written by an agent, a sign-off): <br> in HTML. */
  | { kind: 'paragraph'; text: string }
  | { kind: 'field'; label: string; value: string }
  | { kind: 'link'; label: string; url: string };

const paragraph = (text: string): Block => ({ kind: 'paragraph', text });
const field = (label: string, value: string): Block => ({ kind: 'field', label, value });
const link = (label: string, url: string): Block => ({ kind: 'link', label, url });

function assemble(locale: MailLocale, subject: string, blocks: readonly (Block | null)[]): RenderedMail {
  const shown = blocks.filter((b): b is Block => b !== null);
  const title = oneLine(subject);
  // Labelled values sit on consecutive lines; everything else is its own paragraph.
  const text = shown.map((b, i) => (i === 0 ? '' : b.kind === 'field' && shown[i - 1]!.kind === 'field' ? '\n' : '\n\n') + blockText(b)).join('') + '\n';
  const html = `<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
</head>
<body style="margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222222;">
${shown.map(blockHtml).join('\n')}
</body>
</html>
`;
  return { subject: title, text, html };
}

function blockText(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return normalizeNewlines(block.text);
    case 'field':
      return `${block.label}: ${oneLine(block.value)}`;
    case 'link':
      return `${block.label}: ${block.url}`;
  }
}

const P = '<p style="margin:0 0 16px;">';

function blockHtml(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return `${P}${escapeHtml(normalizeNewlines(block.text)).replace(/\n/g, '<br>\n')}</p>`;
    case 'field':
      return `<p style="margin:0 0 6px;">${escapeHtml(block.label)}: <strong>${escapeHtml(oneLine(block.value))}</strong></p>`;
    case 'link':
      return `${P}<a href="${escapeHtml(block.url)}" style="color:#0b57d0;">${escapeHtml(block.label)}</a></p>`;
  }
}

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

/**
 * A tracking link is shown only when it is an absolute http(s) URL: shops may send their own
 * `trackingUrl`, and escaping alone does not stop a `javascript:` link.
 */
function safeLink(url: string | null): string | null {
  if (url === null) return null;
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Empty or whitespace-only optional text counts as absent. */
function present(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** One line, for subjects: a shopper's subject may carry line breaks and runs of spaces. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/**
 * A ticket subject without reply prefixes and ticket tags, so ours are the only ones:
 * "RE: Re: [#1042] Where is my parcel?" → "Where is my parcel?". Every [#n] tag goes, not only
 * this ticket's, so inbound mail can never thread a reply onto a ticket named in the text.
 */
function bareTicketSubject(subject: string, locale: MailLocale): string {
  let s = oneLine(subject).replace(/\[#\d+\]/g, ' ');
  const prefix = /^\s*(?:re|fwd?|aw|sv|vs|tr|wg|antw)\s*(?:\[\d+\])?\s*:\s*/i;
  while (prefix.test(s)) s = s.replace(prefix, '');
  return oneLine(s) || (locale === 'vi' ? '(không có tiêu đề)' : '(no subject)');
}

/** A date for people: weekday, day, month, year and a 24-hour time, always in UTC and saying so. */
// Intl formatters are costly to build (a profile under load showed 11% of the service's CPU
// in their constructors): one pair per locale, built on first use.
const DATE_TIME_FORMATS = new Map<MailLocale, { day: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();

function formatDateTime(date: Date, locale: MailLocale): string {
  let formats = DATE_TIME_FORMATS.get(locale);
  if (!formats) {
    const tag = locale === 'vi' ? 'vi-VN' : 'en-GB';
    formats = {
      day: new Intl.DateTimeFormat(tag, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
      time: new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }),
    };
    DATE_TIME_FORMATS.set(locale, formats);
  }
  const day = formats.day.format(date);
  const time = formats.time.format(date);
  return locale === 'vi' ? `${time} UTC, ${day}` : `${day} at ${time} UTC`;
}

function greeting(customerName: string | null, locale: MailLocale): string {
  const name = present(customerName);
  if (locale === 'vi') return name ? `Xin chào ${oneLine(name)},` : 'Xin chào bạn,';
  return name ? `Hello ${oneLine(name)},` : 'Hello,';
}

/** The shipment facts every shipment notice carries, after its own opening. */
function shipmentDetails(p: ShipmentMailParams, locale: MailLocale): (Block | null)[] {
  const vi = locale === 'vi';
  const url = safeLink(p.trackingUrl);
  const note = present(p.description);
  return [
    field(vi ? 'Đơn vị vận chuyển' : 'Carrier', p.carrierName),
    field(vi ? 'Mã vận đơn' : 'Tracking number', p.trackingNumber),
    p.occurredAt ? field(vi ? 'Thời gian' : 'Time', formatDateTime(p.occurredAt, locale)) : null,
    note ? paragraph(`${vi ? 'Ghi chú từ đơn vị vận chuyển:' : 'Note from the carrier:'}\n${note}`) : null,
    url ? link(vi ? 'Theo dõi đơn hàng' : 'Track your parcel', url) : null,
  ];
}

function shipmentSignOff(shopName: string, locale: MailLocale): Block {
  return paragraph(locale === 'vi' ? `Cảm ơn bạn đã mua sắm tại ${shopName}.` : `Thank you for shopping with ${shopName}.`);
}

const RENDERERS: { [K in MailKind]: Renderer<K> } = {
  shipment_created(p, locale) {
    if (locale === 'vi') {
      return assemble(locale, `Đơn hàng ${p.orderExternalId} từ ${p.shopName} đã được gửi đi`, [
        paragraph(greeting(p.customerName, locale)),
        paragraph(`Đơn hàng ${p.orderExternalId} của bạn đã được giao cho ${p.carrierName} và đang trên đường đến với bạn.`),
        ...shipmentDetails(p, locale),
        shipmentSignOff(p.shopName, locale),
      ]);
    }
    return assemble(locale, `Your order ${p.orderExternalId} from ${p.shopName} has shipped`, [
      paragraph(greeting(p.customerName, locale)),
      paragraph(`Good news: your order ${p.orderExternalId} has been handed to ${p.carrierName} and is on its way to you.`),
      ...shipmentDetails(p, locale),
      shipmentSignOff(p.shopName, locale),
    ]);
  },

  shipment_in_transit(p, locale) {
    if (locale === 'vi') {
      return assemble(locale, `Cập nhật hành trình đơn hàng ${p.orderExternalId}`, [
        paragraph(greeting(p.customerName, locale)),
        paragraph(`Đơn hàng ${p.orderExternalId} của bạn đang được ${p.carrierName} vận chuyển đến bạn.`),
        ...shipmentDetails(p, locale),
        shipmentSignOff(p.shopName, locale),
      ]);
    }
    return assemble(locale, `Your order ${p.orderExternalId} is in transit`, [
      paragraph(greeting(p.customerName, locale)),
      paragraph(`Your order ${p.orderExternalId} is moving through the ${p.carrierName} network towards you.`),
      ...shipmentDetails(p, locale),
      shipmentSignOff(p.shopName, locale),
    ]);
  },

  shipment_out_for_delivery(p, locale) {
    if (locale === 'vi') {
      return assemble(locale, `Đơn hàng ${p.orderExternalId} đang được giao đến bạn`, [
        paragraph(greeting(p.customerName, locale)),
        paragraph(
          `Đơn hàng ${p.orderExternalId} của bạn đang được ${p.carrierName} giao đến. Bạn vui lòng để ý điện thoại để nhân viên giao hàng có thể liên hệ.`,
        ),
        ...shipmentDetails(p, locale),
        shipmentSignOff(p.shopName, locale),
      ]);
    }
    return assemble(locale, `Your order ${p.orderExternalId} is out for delivery`, [
      paragraph(greeting(p.customerName, locale)),
      paragraph(
        `Your order ${p.orderExternalId} is out for delivery with ${p.carrierName}. Please keep your phone nearby in case the courier needs to reach you.`,
      ),
      ...shipmentDetails(p, locale),
      shipmentSignOff(p.shopName, locale),
    ]);
  },

  shipment_delivered(p, locale) {
    if (locale === 'vi') {
      return assemble(locale, `Đơn hàng ${p.orderExternalId} đã được giao thành công`, [
        paragraph(greeting(p.customerName, locale)),
        paragraph(`Đơn hàng ${p.orderExternalId} của bạn đã được ${p.carrierName} giao thành công.`),
        ...shipmentDetails(p, locale),
        paragraph('Nếu kiện hàng có vấn đề gì, bạn chỉ cần trả lời email này để được hỗ trợ.'),
        shipmentSignOff(p.shopName, locale),
      ]);
    }
    return assemble(locale, `Your order ${p.orderExternalId} has been delivered`, [
      paragraph(greeting(p.customerName, locale)),
      paragraph(`Your order ${p.orderExternalId} has been delivered by ${p.carrierName}.`),
      ...shipmentDetails(p, locale),
      paragraph('If anything is wrong with your parcel, just reply to this e-mail and we will help.'),
      shipmentSignOff(p.shopName, locale),
    ]);
  },

  shipment_exception(p, locale) {
    const { subject, opening } = locale === 'vi' ? exceptionWordingVi(p) : exceptionWordingEn(p);
    return assemble(locale, subject, [
      paragraph(greeting(p.customerName, locale)),
      paragraph(opening),
      ...shipmentDetails(p, locale),
      paragraph(
        locale === 'vi'
          ? 'Chúng tôi đang kiểm tra và sẽ liên hệ với bạn nếu cần thêm thông tin. Bạn cũng có thể trả lời email này để được hỗ trợ.'
          : 'We are looking into it and will contact you if we need anything from you. You can also reply to this e-mail for help.',
      ),
      paragraph(locale === 'vi' ? `Trân trọng,\n${p.shopName}` : `Kind regards,\n${p.shopName}`),
    ]);
  },

  ticket_acknowledged(p, locale) {
    const subject = bareTicketSubject(p.subject, locale);
    const due = formatDateTime(p.firstResponseDueAt, locale);
    if (locale === 'vi') {
      return assemble(locale, `[#${p.ticketNumber}] Chúng tôi đã nhận được yêu cầu của bạn: ${subject}`, [
        paragraph(greeting(p.customerName, locale)),
        paragraph(`Cảm ơn bạn đã liên hệ với ${p.shopName}. Chúng tôi đã nhận được yêu cầu của bạn và tạo phiếu hỗ trợ #${p.ticketNumber}.`),
        field('Tiêu đề', subject),
        paragraph(`Chúng tôi sẽ phản hồi bạn trước ${due}.`),
        paragraph(`Nếu muốn bổ sung thông tin, bạn chỉ cần trả lời email này và giữ nguyên [#${p.ticketNumber}] trong tiêu đề.`),
        paragraph(`Trân trọng,\nBộ phận chăm sóc khách hàng ${p.shopName}`),
      ]);
    }
    return assemble(locale, `[#${p.ticketNumber}] We received your request: ${subject}`, [
      paragraph(greeting(p.customerName, locale)),
      paragraph(`Thank you for contacting ${p.shopName}. We have received your request and opened ticket #${p.ticketNumber}.`),
      field('Subject', subject),
      paragraph(`We will get back to you by ${due}.`),
      paragraph(`To add anything, just reply to this e-mail and keep [#${p.ticketNumber}] in the subject.`),
      paragraph(`Kind regards,\n${p.shopName} customer care`),
    ]);
  },

  ticket_reply(p, locale) {
    const agent = present(p.agentName);
    const signature =
      locale === 'vi'
        ? agent
          ? `${oneLine(agent)}\nBộ phận chăm sóc khách hàng ${p.shopName}`
          : `Bộ phận chăm sóc khách hàng ${p.shopName}`
        : agent
          ? `${oneLine(agent)}\n${p.shopName} customer care`
          : `${p.shopName} customer care`;
    return assemble(locale, `Re: [#${p.ticketNumber}] ${bareTicketSubject(p.subject, locale)}`, [
      paragraph(greeting(p.customerName, locale)),
      paragraph(p.body),
      paragraph(signature),
      paragraph(
        locale === 'vi'
          ? `Bạn có thể trả lời trực tiếp email này; vui lòng giữ nguyên [#${p.ticketNumber}] trong tiêu đề.`
          : `You can answer by replying to this e-mail; please keep [#${p.ticketNumber}] in the subject.`,
      ),
    ]);
  },
  webhook_endpoint_disabled(p, locale) {
    const when = formatDateTime(p.disabledAt, locale);
    if (locale === 'vi') {
      return assemble(locale, `Webhook endpoint đã bị tắt: ${p.url}`, [
        paragraph(`Endpoint webhook ${p.url} của ${p.shopName} đã bị tắt lúc ${when} và sẽ không nhận sự kiện nào cho đến khi được bật lại (PATCH /v1/webhooks/${p.endpointId} với "enabled": true).`),
        field('Endpoint', p.endpointId),
        field('Lý do', p.reason),
        paragraph(`Sau khi bật lại, POST /v1/webhooks/${p.endpointId}/recover?since=… gửi lại các sự kiện bị lỡ.`),
      ]);
    }
    return assemble(locale, `Webhook endpoint disabled: ${p.url}`, [
      paragraph(`The webhook endpoint ${p.url} of ${p.shopName} was disabled at ${when} and receives no events until it is enabled again (PATCH /v1/webhooks/${p.endpointId} with "enabled": true).`),
      field('Endpoint', p.endpointId),
      field('Reason', p.reason),
      paragraph(`Once it is enabled, POST /v1/webhooks/${p.endpointId}/recover?since=… sends the events it missed again.`),
    ]);
  },
};

function exceptionWordingEn(p: MailParams<'shipment_exception'>): { subject: string; opening: string } {
  switch (p.status) {
    case 'failed_attempt':
      return {
        subject: `Delivery attempt failed for your order ${p.orderExternalId}`,
        opening: `${p.carrierName} tried to deliver your order ${p.orderExternalId} but could not complete the delivery. Carriers usually try again; the tracking page shows what happens next.`,
      };
    case 'returned':
      return {
        subject: `Your order ${p.orderExternalId} is being returned to ${p.shopName}`,
        opening: `Your order ${p.orderExternalId} could not be delivered and is being returned to ${p.shopName} by ${p.carrierName}.`,
      };
    case 'exception':
      return {
        subject: `A problem with the delivery of your order ${p.orderExternalId}`,
        opening: `There is a problem with the delivery of your order ${p.orderExternalId}, reported by ${p.carrierName}.`,
      };
  }
}

function exceptionWordingVi(p: MailParams<'shipment_exception'>): { subject: string; opening: string } {
  switch (p.status) {
    case 'failed_attempt':
      return {
        subject: `Giao đơn hàng ${p.orderExternalId} không thành công`,
        opening: `${p.carrierName} đã đến giao đơn hàng ${p.orderExternalId} của bạn nhưng chưa giao được. Đơn vị vận chuyển thường sẽ giao lại; bạn có thể xem diễn biến tiếp theo trên trang theo dõi đơn hàng.`,
      };
    case 'returned':
      return {
        subject: `Đơn hàng ${p.orderExternalId} đang được hoàn về ${p.shopName}`,
        opening: `Đơn hàng ${p.orderExternalId} của bạn không giao được và đang được ${p.carrierName} hoàn trả về ${p.shopName}.`,
      };
    case 'exception':
      return {
        subject: `Có sự cố khi giao đơn hàng ${p.orderExternalId}`,
        opening: `${p.carrierName} báo có sự cố trong quá trình giao đơn hàng ${p.orderExternalId} của bạn.`,
      };
  }
}
