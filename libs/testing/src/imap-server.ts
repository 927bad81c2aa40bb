import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { eventually } from './eventually.js';
import { freePort } from './ports.js';

const DOVECOT = '/usr/sbin/dovecot';

/** Installs Dovecot from Debian's packages when it is missing (the test machines and CI run as root). */
export function ensureDovecot(): void {
  if (existsSync(DOVECOT)) return;
  if (process.getuid?.() !== 0) throw new Error(`${DOVECOT} is missing: install dovecot-imapd (apt-get install -y dovecot-imapd)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'dovecot-imapd'], { stdio: 'ignore', env });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'dovecot-imapd'], { stdio: 'ignore', env });
  }
}

export interface ImapUser {
  user: string;
  password: string;
}

/** A message as the test server holds it. */
export interface ImapMessage {
  uid: number;
  flags: string[];
  subject: string | undefined;
  messageId: string | undefined;
}

/**
 * A private Dovecot for one test file: its own config, maildirs, sockets and log in a temp
 * directory, plain-text IMAP on a free loopback port, users from a passwd-file. Started as a
 * child process in the foreground (`dovecot -F`), stopped with it.
 */
export class ImapServer {
  readonly host = '127.0.0.1';
  private exited?: Promise<void>;

  private constructor(
    readonly port: number,
    readonly users: ImapUser[],
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  /** The first user: what most tests log in as. */
  get user(): ImapUser {
    return this.users[0]!;
  }

  static async start(options: { users?: ImapUser[] } = {}): Promise<ImapServer> {
    ensureDovecot();
    const users = options.users ?? [{ user: 'support', password: 'support-secret-1' }];
    const dir = await mkdtemp(path.join(tmpdir(), 'careflow-dovecot-'));
    // Dovecot's unprivileged processes must reach the sockets and the mail below this directory.
    await chmod(dir, 0o755);
    const root = process.getuid?.() === 0;
    // As root the login and mail processes run as Debian's dovecot users; otherwise all as us.
    const account = root ? { name: 'dovecot', uid: Number(execFileSync('id', ['-u', 'dovecot']).toString()), gid: Number(execFileSync('id', ['-g', 'dovecot']).toString()) } : (() => {
      const me = userInfo();
      return { name: me.username, uid: me.uid, gid: me.gid };
    })();
    const loginUser = root ? 'dovenull' : account.name;
    const mail = path.join(dir, 'mail');
    await mkdir(mail);
    await mkdir(path.join(dir, 'run'));
    await mkdir(path.join(dir, 'state'));
    if (root) await chown(mail, account.uid, account.gid);
    await writeFile(path.join(dir, 'users'), users.map((u) => `${u.user}:{PLAIN}${u.password}::::::\n`).join(''));
    const port = await freePort();
    const conf = path.join(dir, 'dovecot.conf');
    await writeFile(
      conf,
      `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = ${loginUser}
default_internal_user = ${account.name}
default_internal_group = ${root ? 'dovecot' : account.name}
first_valid_uid = ${account.uid}
mail_location = maildir:${mail}/%u
mailbox_idle_check_interval = 1 secs
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${account.uid} gid=${account.gid} home=${mail}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
  # no auth penalty: a test's wrong password must not slow down every other login from 127.0.0.1
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`,
    );
    const child = spawn(DOVECOT, ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    const server = new ImapServer(port, users, dir, child);
    server.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    try {
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`dovecot exited with ${child.exitCode}`);
        await greeting(port);
      }, 15_000, 100);
    } catch (error) {
      const log = await readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => '');
      await server.stop();
      throw new Error(`dovecot did not start: ${(error as Error).message}\n${output.join('')}\n${log}`);
    }
    return server;
  }

  /** A connected client as `user` (the first user by default); log it out when done. */
  async client(user: ImapUser = this.user): Promise<ImapFlow> {
    const client = new ImapFlow({ host: this.host, port: this.port, secure: false, doSTARTTLS: false, auth: { user: user.user, pass: user.password }, logger: false });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  private async withClient<T>(user: ImapUser | undefined, use: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = await this.client(user);
    try {
      return await use(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** Delivers a message the way a mail server's LDA would leave it: appended to the folder. */
  async append(raw: string | Buffer, options: { folder?: string; flags?: string[]; user?: ImapUser } = {}): Promise<void> {
    await this.withClient(options.user, async (client) => {
      const done = await client.append(options.folder ?? 'INBOX', raw, options.flags ?? []);
      if (!done) throw new Error(`APPEND to ${options.folder ?? 'INBOX'} failed`);
    });
  }

  async createFolder(folder: string, user?: ImapUser): Promise<void> {
    await this.withClient(user, async (client) => {
      await client.mailboxCreate(folder);
    });
  }

  /** The messages of a folder, oldest first, with their flags. */
  async messages(folder = 'INBOX', user?: ImapUser): Promise<ImapMessage[]> {
    return this.withClient(user, async (client) => {
      const lock = await client.getMailboxLock(folder, { readOnly: true });
      try {
        const all = client.mailbox && client.mailbox.exists > 0 ? await client.fetchAll('1:*', { uid: true, flags: true, envelope: true }) : [];
        return all.map((m) => ({ uid: m.uid, flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(), subject: m.envelope?.subject, messageId: m.envelope?.messageId }));
      } finally {
        lock.release();
      }
    });
  }

  /** Dovecot's log (logins, errors), for a failing test's message. */
  log(): Promise<string> {
    return readFile(path.join(this.dir, 'dovecot.log'), 'utf8').catch(() => '');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const killed = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(killed);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Resolves once the server sends its `* OK` greeting. */
function greeting(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no IMAP greeting'));
    }, 2_000);
    socket.once('data', (data) => {
      clearTimeout(timer);
      socket.destroy();
      if (data.toString().startsWith('* OK')) resolve();
      else reject(new Error(`unexpected greeting ${data.toString().slice(0, 80)}`));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** A small RFC 5322 message for tests. */
export function testMessage(options: { subject: string; from?: string; to?: string; body?: string; messageId?: string }): string {
  const messageId = options.messageId ?? `<${Date.now()}.${Math.random().toString(36).slice(2)}@customer.test>`;
  return [
    `From: ${options.from ?? 'Lan Nguyen <lan.nguyen@customer.test>'}`,
    `To: ${options.to ?? 'support@shop.test'}`,
    `Subject: ${options.subject}`,
    `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    options.body ?? 'Where is my parcel?',
    '',
  ].join('\r\n');
}
