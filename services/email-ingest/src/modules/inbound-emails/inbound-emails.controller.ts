import { ApiOperationDoc, RequestValidationError, RequireScopes, UnsupportedMediaTypeError, UuidParam } from '@careflow/http';
import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AttachmentParams } from './dto/attachment.params.js';
import { INBOUND_EMAIL_EXAMPLE, InboundEmailAcceptedDto, InboundEmailDto, InboundEmailPageDto } from './dto/inbound-email.dto.js';
import { ListInboundEmailsQuery } from './dto/list-inbound-emails.query.js';
import { InboundEmailsService } from './inbound-emails.service.js';

@ApiTags('Inbound e-mail')
@Controller('v1/inbound/email')
export class InboundEmailsController {
  constructor(private readonly emails: InboundEmailsService) {}

  @Post()
  @RequireScopes('inbound:write')
  @ApiConsumes('message/rfc822')
  @ApiBody({
    required: true,
    description: 'The whole message as it arrived (RFC 5322), headers and body, up to EMAIL_BODY_LIMIT (25 MB by default).',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiOperationDoc({
    operationId: 'receiveInboundEmail',
    summary: 'Receive a raw e-mail',
    description:
      'The raw bytes are stored before the answer, so nothing is lost if parsing fails or a worker dies. Parsing and routing run as jobs: ' +
      'the message becomes a ticket, a comment on the ticket it answers, or is recorded as a duplicate, an automatic reply, a bounce or ' +
      'rejected. Follow it with `GET /v1/inbound/email/{id}` or the `inbound_email.processed` webhook.',
    status: 202,
    type: InboundEmailAcceptedDto,
    example: { id: INBOUND_EMAIL_EXAMPLE.id, status: 'queued' },
    errors: [400, 413, 415],
  })
  async receive(@Req() req: Request): Promise<InboundEmailAcceptedDto> {
    const raw: unknown = req.body;
    if (!Buffer.isBuffer(raw)) throw new UnsupportedMediaTypeError(req.headers['content-type'], ['message/rfc822']);
    if (raw.every((byte) => byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a)) {
      throw new RequestValidationError([{ field: 'body', message: 'body must be an RFC 5322 message, not empty' }]);
    }
    const { id } = await this.emails.receive(raw, 'api');
    return { id, status: 'queued' };
  }

  @Get()
  @RequireScopes('tickets:read', 'inbound:write')
  @ApiOperationDoc({
    operationId: 'listInboundEmails',
    summary: 'List inbound e-mail',
    description: 'Newest first; filter by status and sender.',
    status: 200,
    type: InboundEmailPageDto,
    example: { data: [INBOUND_EMAIL_EXAMPLE], nextCursor: null },
    errors: [400],
  })
  async list(@Query() query: ListInboundEmailsQuery): Promise<InboundEmailPageDto> {
    const page = await this.emails.list(query);
    return { data: page.data.map((e) => InboundEmailDto.from(e)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScopes('tickets:read', 'inbound:write')
  @ApiOperationDoc({
    operationId: 'getInboundEmail',
    summary: 'Get an inbound e-mail and its processing outcome',
    status: 200,
    type: InboundEmailDto,
    example: INBOUND_EMAIL_EXAMPLE,
    errors: [400, 404],
  })
  async get(@Param() params: UuidParam): Promise<InboundEmailDto> {
    return InboundEmailDto.from(await this.emails.get(params.id));
  }

  @Get(':id/raw')
  @RequireScopes('tickets:read', 'inbound:write')
  @ApiOperationDoc({
    operationId: 'getInboundEmailRaw',
    summary: 'Download the raw message as it arrived',
    status: 200,
    binary: 'message/rfc822',
    errors: [400, 404],
  })
  async raw(@Param() params: UuidParam, @Res() res: Response): Promise<void> {
    const raw = await this.emails.raw(params.id);
    res.status(200).type('message/rfc822').setHeader('content-disposition', `attachment; filename="${params.id}.eml"`);
    res.end(raw);
  }

  @Get(':id/attachments/:attachmentId')
  @RequireScopes('tickets:read', 'inbound:write')
  @ApiOperationDoc({
    operationId: 'getInboundEmailAttachment',
    summary: 'Download an attachment of an inbound e-mail',
    description: 'Served as `application/octet-stream` with the original name, whatever type the sender declared (the declared type is in the attachment list).',
    status: 200,
    binary: 'application/octet-stream',
    errors: [400, 404],
  })
  async attachment(@Param() params: AttachmentParams, @Res() res: Response): Promise<void> {
    const a = await this.emails.attachment(params.id, params.attachmentId);
    // Never the declared type: a sender's text/html "attachment" must not render in a browser.
    res.status(200).type('application/octet-stream').setHeader('content-disposition', contentDisposition(a.filename));
    res.end(a.content);
  }
}

/** `attachment` with the name in both forms (RFC 6266): an ASCII fallback and the UTF-8 original. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
