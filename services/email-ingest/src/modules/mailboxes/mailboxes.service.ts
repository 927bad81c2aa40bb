import { decodeCursor, RequestValidationError, toPage, type Page } from '@careflow/http';
import { NotFoundError } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EmailIngestConfig } from '../../config/email-ingest.config.js';
import type { CreateMailboxDto } from './dto/create-mailbox.dto.js';
import { MailboxDto, type MailboxCheckDto } from './dto/mailbox.dto.js';
import type { UpdateMailboxDto } from './dto/update-mailbox.dto.js';
import { describeImapError, imapOptions, openImapClient } from './imap-connection.js';
import { MailboxSecrets } from './mailbox-secrets.js';
import type { EncryptedSecret, MailboxChanges, MailboxRecord, MailboxSettings } from './mailbox.record.js';
import { EncryptionKeyMissingError, MailboxExistsError } from './mailboxes.exceptions.js';
import { MailboxesRepository } from './mailboxes.repository.js';
import { MailboxesWorker } from './mailboxes.worker.js';

/** Registered IMAP mailboxes: their settings, encrypted credentials and fetch status. */
@Injectable()
export class MailboxesService {
  constructor(
    private readonly mailboxes: MailboxesRepository,
    private readonly secrets: MailboxSecrets,
    private readonly worker: MailboxesWorker,
    private readonly config: EmailIngestConfig,
  ) {}

  async create(dto: CreateMailboxDto): Promise<MailboxDto> {
    if (!this.secrets.configured) throw new EncryptionKeyMissingError();
    const credential = oneCredential(dto, true)!;
    const afterFetch = dto.afterFetch ?? 'seen';
    checkMoveTo(afterFetch, dto.moveTo);
    const settings: MailboxSettings = {
      name: dto.name,
      host: dto.host,
      port: dto.port,
      tls: dto.tls,
      username: dto.username,
      folder: dto.folder ?? 'INBOX',
      afterFetch,
      moveTo: dto.moveTo ?? null,
      groupKey: dto.groupKey ?? null,
      enabled: dto.enabled ?? true,
      pollSeconds: dto.pollSeconds ?? 60,
    };
    const id = randomUUID();
    const created = await this.mailboxes.insert(id, settings, this.encrypt(id, credential));
    if (!created) throw new MailboxExistsError(settings.host, settings.port, settings.username, settings.folder);
    this.worker.changed();
    return MailboxDto.from(created);
  }

  async get(id: string): Promise<MailboxDto> {
    return MailboxDto.from(await this.find(id));
  }

  async list(limit: number, cursor?: string): Promise<Page<MailboxDto>> {
    const after = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : null;
    const rows = await this.mailboxes.listAfter(after ? { createdCursor: String(after[0]), id: String(after[1]) } : null, limit);
    return toPage(rows, limit, (m) => [m.createdCursor, m.id], (m) => MailboxDto.from(m));
  }

  async update(id: string, dto: UpdateMailboxDto): Promise<MailboxDto> {
    const current = await this.find(id);
    const credential = oneCredential(dto, false);
    if (credential && !this.secrets.configured) throw new EncryptionKeyMissingError();
    const afterFetch = dto.afterFetch ?? current.afterFetch;
    // moving stops needing a target when afterFetch changes away from `move`
    const moveTo = dto.moveTo ?? (afterFetch === 'move' ? current.moveTo ?? undefined : undefined);
    checkMoveTo(afterFetch, moveTo);
    const { password: _password, accessToken: _accessToken, ...settings } = dto;
    const changes: MailboxChanges = { ...settings, moveTo: moveTo ?? null };
    if (credential) changes.secret = this.encrypt(id, credential);
    const resetPosition = (['host', 'port', 'username', 'folder'] as const).some((f) => dto[f] !== undefined && dto[f] !== current[f]);
    const updated = await this.mailboxes.update(id, changes, resetPosition);
    if (updated === null) throw new NotFoundError('mailbox', id);
    if (updated === 'conflict') {
      throw new MailboxExistsError(dto.host ?? current.host, dto.port ?? current.port, dto.username ?? current.username, dto.folder ?? current.folder);
    }
    this.worker.changed();
    return MailboxDto.from(updated);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.mailboxes.delete(id))) throw new NotFoundError('mailbox', id);
    this.worker.changed();
  }

  /**
   * Connects with the stored settings now: login, the folder, and the folder messages are moved
   * to. The answer says what failed; it does not change the mailbox's status.
   */
  async check(id: string): Promise<MailboxCheckDto> {
    await this.find(id);
    const m = await this.mailboxes.findForFetch(id);
    if (!m) throw new NotFoundError('mailbox', id);
    if (!this.secrets.configured) throw new EncryptionKeyMissingError();
    let credential: string;
    try {
      credential = this.secrets.decrypt(m.id, m.secret.ciphertext, m.secret.keyId);
    } catch (error) {
      return { ok: false, error: describeImapError(error), idle: null, messages: null };
    }
    const client = openImapClient(imapOptions(m, credential, this.config.MAILBOX_CONNECT_TIMEOUT_MS));
    client.on('error', () => undefined);
    let idle: boolean | null = null;
    try {
      await client.connect();
      idle = client.capabilities.has('IDLE');
      const status = await client.status(m.folder, { messages: true }).catch((error: unknown) => {
        throw new Error(`cannot open folder ${JSON.stringify(m.folder)}: ${describeImapError(error)}`);
      });
      if (!status) throw new Error(`cannot open folder ${JSON.stringify(m.folder)}`);
      if (m.moveTo) {
        const target = await client.status(m.moveTo, { messages: true }).catch((error: unknown) => {
          throw new Error(`cannot open moveTo folder ${JSON.stringify(m.moveTo)}: ${describeImapError(error)}`);
        });
        if (!target) throw new Error(`cannot open moveTo folder ${JSON.stringify(m.moveTo)}`);
      }
      await client.logout().catch(() => undefined);
      return { ok: true, error: null, idle, messages: status.messages ?? null };
    } catch (error) {
      return { ok: false, error: describeImapError(error), idle, messages: null };
    } finally {
      client.close();
    }
  }

  private async find(id: string): Promise<MailboxRecord> {
    const found = await this.mailboxes.find(id);
    if (!found) throw new NotFoundError('mailbox', id);
    return found;
  }

  private encrypt(id: string, credential: { authMethod: EncryptedSecret['authMethod']; value: string }): EncryptedSecret {
    return { authMethod: credential.authMethod, ...this.secrets.encrypt(id, credential.value) };
  }
}

/** The password or the access token: exactly one on registration, at most one on a change. */
function oneCredential(dto: { password?: string; accessToken?: string }, required: boolean): { authMethod: EncryptedSecret['authMethod']; value: string } | null {
  if (dto.password !== undefined && dto.accessToken !== undefined) {
    throw new RequestValidationError([{ field: 'accessToken', message: 'give password or accessToken, not both' }]);
  }
  if (dto.password !== undefined) return { authMethod: 'password', value: dto.password };
  if (dto.accessToken !== undefined) return { authMethod: 'xoauth2', value: dto.accessToken };
  if (required) throw new RequestValidationError([{ field: 'password', message: 'password or accessToken is required' }]);
  return null;
}

function checkMoveTo(afterFetch: MailboxSettings['afterFetch'], moveTo: string | undefined): void {
  const field = 'moveTo';
  if (afterFetch === 'move' && moveTo === undefined) throw new RequestValidationError([{ field, message: 'moveTo is required when afterFetch is move' }]);
  if (afterFetch !== 'move' && moveTo !== undefined) throw new RequestValidationError([{ field, message: 'moveTo is only allowed when afterFetch is move' }]);
}
