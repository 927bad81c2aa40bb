import { InboundEmailStatus } from '@careflow/contracts';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { InboundSource, type InboundEmailRecord } from '../inbound-email.record.js';

@ApiSchema({ name: 'InboundAttachment' })
export class InboundAttachmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'invoice-1042.pdf' }) filename!: string;
  @ApiProperty({ example: 'application/pdf' }) contentType!: string;
  @ApiProperty({ type: 'integer', example: 48213, description: 'Bytes.' }) size!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Content-ID of an inline part (referenced as cid: in the HTML).' }) contentId!: string | null;
  @ApiProperty() inline!: boolean;
  @ApiProperty({ nullable: true, enum: ['too-large', 'too-many'], enumName: 'AttachmentOmission', description: 'Why the content was not kept; null when it was.' }) omitted!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '/v1/inbound/email/8a4c…/attachments/1f0e…', description: 'Where to download the content (null when omitted).' })
  url!: string | null;
}

@ApiSchema({ name: 'InboundEmail' })
export class InboundEmailDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: InboundEmailStatus, description: '`queued` until parsed and routed; every other status is final.' }) status!: InboundEmailStatus;
  @ApiProperty({ type: String, nullable: true, example: 'reply to #1042 (In-Reply-To)', description: 'Why: the rejection or ignore reason, the duplicate it repeats, how it was routed.' })
  reason!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) ticketId!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 1042 }) ticketNumber!: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The comment an appended reply became.' }) commentId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The earlier message this one repeats (status `duplicate`).' }) duplicateOf!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '<CAF=x1@mail.gmail.com>' }) messageId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'lan.nguyen@example.com' }) from!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Nguyễn Thị Lan' }) fromName!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Re: [#1042] Where is my parcel?' }) subject!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The reply without quoted history and signature (what the comment shows).' }) text!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The whole plain-text body, quotes included.' }) fullText!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The HTML body, sanitized with an allow-list.' }) html!: string | null;
  @ApiProperty({ enum: InboundSource, enumName: 'InboundEmailSource' }) source!: InboundSource;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The mailbox it was fetched from (source `imap`).' }) mailboxId!: string | null;
  @ApiProperty({ type: 'integer', description: 'Size of the raw message in bytes.' }) size!: number;
  @ApiProperty({ type: [InboundAttachmentDto] }) attachments!: InboundAttachmentDto[];
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) processedAt!: string | null;

  static from(e: InboundEmailRecord): InboundEmailDto {
    return {
      id: e.id,
      status: e.status,
      reason: e.reason,
      ticketId: e.ticketId,
      ticketNumber: e.ticketNumber,
      commentId: e.commentId,
      duplicateOf: e.duplicateOf,
      messageId: e.messageId,
      from: e.fromAddress,
      fromName: e.fromName,
      subject: e.subject,
      text: e.strippedText,
      fullText: e.textBody,
      html: e.htmlBody,
      source: e.source,
      mailboxId: e.mailboxId,
      size: e.rawSize,
      attachments: e.attachments.map((a) => ({ ...a, url: a.omitted ? null : attachmentPath(e.id, a.id) })),
      receivedAt: e.receivedAt.toISOString(),
      processedAt: e.processedAt?.toISOString() ?? null,
    };
  }
}

/** Where an attachment's content is served; also the content reference tickets keep on comments. */
export function attachmentPath(inboundEmailId: string, attachmentId: string): string {
  return `/v1/inbound/email/${inboundEmailId}/attachments/${attachmentId}`;
}

@ApiSchema({ name: 'InboundEmailPage' })
export class InboundEmailPageDto {
  @ApiProperty({ type: [InboundEmailDto] }) data!: InboundEmailDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

@ApiSchema({ name: 'InboundEmailAccepted' })
export class InboundEmailAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['queued'] }) status!: 'queued';
}

export const INBOUND_EMAIL_EXAMPLE: InboundEmailDto = {
  id: '8a4c2f0e-5b1d-4c7a-9e3f-2d6b1a0c9e77',
  status: 'appended',
  reason: 'reply to #1042 (In-Reply-To)',
  ticketId: '3f2b9c1e-7a4d-4e8f-b6c5-1d0a9e8f7b6c',
  ticketNumber: 1042,
  commentId: '5e1d4c3b-2a19-4f8e-9d7c-6b5a4f3e2d1c',
  duplicateOf: null,
  messageId: '<CAF=x1Yq@mail.gmail.com>',
  from: 'lan.nguyen@example.com',
  fromName: 'Nguyễn Thị Lan',
  subject: 'Re: [#1042] Where is my parcel?',
  text: 'It arrived today, thank you!',
  fullText: 'It arrived today, thank you!\n\nOn Mon, 30 Nov 2026 at 10:02, Support <support@shop.test> wrote:\n> Your parcel is on its way.',
  html: '<p>It arrived today, thank you!</p>',
  source: 'api',
  mailboxId: null,
  size: 4182,
  attachments: [],
  receivedAt: '2026-12-01T09:14:03.120Z',
  processedAt: '2026-12-01T09:14:03.310Z',
};
