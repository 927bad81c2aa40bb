import { PageDto } from '@careflow/http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { AfterFetch, MailboxAuthMethod, MailboxState, MailboxTls, type MailboxRecord } from '../mailbox.record.js';

/** A registered mailbox and how fetching it goes. The credential is never part of it. */
@ApiSchema({ name: 'Mailbox' })
export class MailboxDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Support inbox' }) name!: string;
  @ApiProperty({ example: 'imap.shop.test' }) host!: string;
  @ApiProperty({ type: 'integer', example: 993 }) port!: number;
  @ApiProperty({ enum: MailboxTls, enumName: 'MailboxTls' }) tls!: MailboxTls;
  @ApiProperty({ example: 'support@shop.test' }) username!: string;
  @ApiProperty({ enum: MailboxAuthMethod, enumName: 'MailboxAuthMethod', description: '`password` (LOGIN/PLAIN) or `xoauth2` (an access token).' }) authMethod!: MailboxAuthMethod;
  @ApiProperty({ description: 'Whether a password is stored (it is never returned).' }) hasPassword!: boolean;
  @ApiProperty({ description: 'Whether an access token is stored (it is never returned).' }) hasAccessToken!: boolean;
  @ApiProperty({ example: 'INBOX' }) folder!: string;
  @ApiProperty({ enum: AfterFetch, enumName: 'MailboxAfterFetch' }) afterFetch!: AfterFetch;
  @ApiProperty({ type: String, nullable: true, example: null }) moveTo!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'returns' }) groupKey!: string | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: 'integer', example: 60 }) pollSeconds!: number;
  @ApiProperty({
    enum: MailboxState, enumName: 'MailboxState',
    description: '`connecting` (or waiting to), `idle` (connected, the server pushes new mail), `polling` (connected, no IDLE: polled every pollSeconds), `error` (the last attempt failed: see lastError; retried with backoff), `disabled`.',
  })
  state!: MailboxState;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the last fetch started.' }) lastFetchAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When a fetch last completed.' }) lastSuccessAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'authentication failed: [AUTHENTICATIONFAILED] Authentication failed.' }) lastError!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastErrorAt!: string | null;
  @ApiProperty({ type: 'integer', example: 0, description: 'Failed attempts since the last success; the wait between attempts doubles with each.' }) consecutiveFailures!: number;
  @ApiProperty({ type: 'integer', example: 42, description: 'Messages fetched and stored since registration.' }) fetchedCount!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(m: MailboxRecord): MailboxDto {
    return {
      id: m.id,
      name: m.name,
      host: m.host,
      port: m.port,
      tls: m.tls,
      username: m.username,
      authMethod: m.authMethod,
      hasPassword: m.authMethod === 'password',
      hasAccessToken: m.authMethod === 'xoauth2',
      folder: m.folder,
      afterFetch: m.afterFetch,
      moveTo: m.moveTo,
      groupKey: m.groupKey,
      enabled: m.enabled,
      pollSeconds: m.pollSeconds,
      state: m.enabled ? m.state : 'disabled',
      lastFetchAt: m.lastFetchAt?.toISOString() ?? null,
      lastSuccessAt: m.lastSuccessAt?.toISOString() ?? null,
      lastError: m.lastError,
      lastErrorAt: m.lastErrorAt?.toISOString() ?? null,
      consecutiveFailures: m.consecutiveFailures,
      fetchedCount: m.fetchedCount,
      createdAt: m.createdAt.toISOString(),
      updatedAt: m.updatedAt.toISOString(),
    };
  }
}

@ApiSchema({ name: 'MailboxPage' })
export class MailboxPageDto extends PageDto {
  @ApiProperty({ type: [MailboxDto] }) data!: MailboxDto[];
}

@ApiSchema({ name: 'MailboxCheck' })
export class MailboxCheckDto {
  @ApiProperty({ description: 'Whether connecting, logging in and opening the folder (and moveTo) worked.' }) ok!: boolean;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'What failed, when something did.' }) error!: string | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Whether the server offers IDLE (new mail is pushed); null when not connected.' }) idle!: boolean | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Messages in the folder; null when not opened.' }) messages!: number | null;
}

export const MAILBOX_EXAMPLE: MailboxDto = {
  id: '6d1f0c2a-9b3e-4f7a-8c5d-2e1b0a9f8c7d',
  name: 'Support inbox',
  host: 'imap.shop.test',
  port: 993,
  tls: 'implicit',
  username: 'support@shop.test',
  authMethod: 'password',
  hasPassword: true,
  hasAccessToken: false,
  folder: 'INBOX',
  afterFetch: 'seen',
  moveTo: null,
  groupKey: 'support',
  enabled: true,
  pollSeconds: 60,
  state: 'idle',
  lastFetchAt: '2026-12-01T09:14:03.120Z',
  lastSuccessAt: '2026-12-01T09:14:03.410Z',
  lastError: null,
  lastErrorAt: null,
  consecutiveFailures: 0,
  fetchedCount: 42,
  createdAt: '2026-11-23T09:30:00.000Z',
  updatedAt: '2026-11-23T09:30:00.000Z',
};
