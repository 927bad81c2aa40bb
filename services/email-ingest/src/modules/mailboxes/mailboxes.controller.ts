import { ApiOperationDoc, PageQuery, RequireScopes, UuidParam, type Page } from '@careflow/http';
import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateMailboxDto } from './dto/create-mailbox.dto.js';
import { MAILBOX_EXAMPLE, MailboxCheckDto, MailboxDto, MailboxPageDto } from './dto/mailbox.dto.js';
import { UpdateMailboxDto } from './dto/update-mailbox.dto.js';
import { MailboxesService } from './mailboxes.service.js';

/** Managing mailboxes needs `admin`: they hold credentials. */
@ApiTags('Inbound mailboxes')
@Controller('v1/inbound/mailboxes')
export class MailboxesController {
  constructor(private readonly mailboxes: MailboxesService) {}

  @Post()
  @RequireScopes('admin')
  @ApiOperationDoc({
    operationId: 'createMailbox',
    problems: ['mailbox-exists', 'mailbox-encryption-key-missing'],
    summary: 'Register an IMAP mailbox to fetch',
    description:
      'New messages of the folder are fetched (IDLE where the server offers it, polling otherwise) and received like `POST /v1/inbound/email`; ' +
      'each is flagged `\\Seen`, moved or deleted only after its raw bytes are stored. The password or access token is stored encrypted ' +
      '(MAILBOX_ENCRYPTION_KEY) and never returned; without that key the answer is 409 `mailbox-encryption-key-missing`.',
    status: 201,
    type: MailboxDto,
    example: MAILBOX_EXAMPLE,
    errors: [400, 413],
  })
  async create(@Body() body: CreateMailboxDto): Promise<MailboxDto> {
    return this.mailboxes.create(body);
  }

  @Get()
  @RequireScopes('admin')
  @ApiOperationDoc({
    operationId: 'listMailboxes',
    summary: 'List IMAP mailboxes with their fetch status',
    description: 'Oldest first.',
    status: 200,
    type: MailboxPageDto,
    example: { data: [MAILBOX_EXAMPLE], nextCursor: null },
    errors: [400],
  })
  async list(@Query() query: PageQuery): Promise<Page<MailboxDto>> {
    return this.mailboxes.list(query.limit, query.cursor);
  }

  @Get(':id')
  @RequireScopes('admin')
  @ApiOperationDoc({ operationId: 'getMailbox', summary: 'Get an IMAP mailbox and its fetch status', status: 200, type: MailboxDto, example: MAILBOX_EXAMPLE, errors: [400, 404] })
  async get(@Param() params: UuidParam): Promise<MailboxDto> {
    return this.mailboxes.get(params.id);
  }

  @Patch(':id')
  @RequireScopes('admin')
  @ApiOperationDoc({
    operationId: 'updateMailbox',
    problems: ['mailbox-exists', 'mailbox-encryption-key-missing'],
    summary: 'Change an IMAP mailbox',
    description: 'Takes effect without a restart: the fetcher reconnects with the new settings. `enabled: false` stops fetching.',
    status: 200,
    type: MailboxDto,
    example: MAILBOX_EXAMPLE,
    errors: [400, 404, 413],
  })
  async update(@Param() params: UuidParam, @Body() body: UpdateMailboxDto): Promise<MailboxDto> {
    return this.mailboxes.update(params.id, body);
  }

  @Delete(':id')
  @RequireScopes('admin')
  @ApiOperationDoc({
    operationId: 'deleteMailbox',
    summary: 'Remove an IMAP mailbox',
    description: 'Fetching stops; messages already received stay (with their `mailboxId`).',
    status: 204,
    errors: [400, 404],
  })
  async remove(@Param() params: UuidParam): Promise<void> {
    await this.mailboxes.remove(params.id);
  }

  @Post(':id/check')
  @RequireScopes('admin')
  @ApiOperationDoc({
    operationId: 'checkMailbox',
    problems: ['mailbox-encryption-key-missing'],
    summary: 'Test the connection of an IMAP mailbox now',
    description: 'Connects, logs in and opens the folder (and `moveTo`). `ok: false` with `error` says what failed; the mailbox status is not changed.',
    status: 200,
    type: MailboxCheckDto,
    example: { ok: true, error: null, idle: true, messages: 12 },
    errors: [400, 404],
  })
  async check(@Param() params: UuidParam): Promise<MailboxCheckDto> {
    return this.mailboxes.check(params.id);
  }
}
