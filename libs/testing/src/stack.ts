import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.js';
import { freePort } from './ports.js';
import { deleteKeys, TEST_REDIS_URL, uniqueQueuePrefix } from './redis-keys.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export type ServiceName = 'gateway' | 'tickets' | 'email-ingest' | 'notifications' | 'segmentation';
export const BACKEND_SERVICES = ['tickets', 'email-ingest', 'notifications', 'segmentation'] as const;

const URL_VARS: Record<Exclude<ServiceName, 'gateway'>, string> = {
  tickets: 'TICKETS_URL',
  'email-ingest': 'EMAIL_INGEST_URL',
  notifications: 'NOTIFICATIONS_URL',
  segmentation: 'SEGMENTATION_URL',
};

export interface StackOptions {
  /** Backend services to run (the gateway always runs). Default: all four. */
  services?: ReadonlyArray<Exclude<ServiceName, 'gateway'>>;
  /** Extra environment for every process (RATE_LIMIT_PER_MINUTE, SMTP_URL, …). */
  env?: Record<string, string>;
  /** Environment for one process only. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}

interface RunningProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The system as it runs in production, for one test file: each service a separate Node
 * process from the build output, on its own ports, against a fresh database cloned from the
 * migrated template and a Redis key prefix of its own.
 */
export class Stack {
  readonly adminKey = `cf_testadmn_${randomBytes(24).toString('base64url')}`;
  readonly internalToken = randomBytes(18).toString('base64url');
  readonly queuePrefix = uniqueQueuePrefix();
  readonly ports = new Map<ServiceName, number>();
  private readonly processes = new Map<ServiceName, RunningProcess>();

  private constructor(
    readonly db: TestDatabase,
    private readonly options: StackOptions,
  ) {}

  static async start(options: StackOptions = {}): Promise<Stack> {
    const stack = new Stack(await createTestDatabase(), options);
    try {
      for (const name of ['gateway', ...BACKEND_SERVICES] as const) stack.ports.set(name, await freePort());
      await Promise.all(stack.backends.map((s) => stack.startService(s)));
      await stack.startService('gateway');
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get backends(): ReadonlyArray<Exclude<ServiceName, 'gateway'>> {
    return this.options.services ?? BACKEND_SERVICES;
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.ports.get('gateway')}`;
  }

  serviceUrl(name: ServiceName): string {
    return `http://127.0.0.1:${this.ports.get(name)}`;
  }

  env(name: ServiceName): Record<string, string> {
    const urls = Object.fromEntries(BACKEND_SERVICES.map((s) => [URL_VARS[s], this.serviceUrl(s)]));
    return {
      PATH: process.env['PATH'] ?? '',
      DATABASE_URL: this.db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: this.queuePrefix,
      INTERNAL_TOKEN: this.internalToken,
      ADMIN_API_KEY: this.adminKey,
      LOG_LEVEL: process.env['CAREFLOW_TEST_LOG_LEVEL'] ?? 'warn',
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      DATABASE_POOL_SIZE: '5',
      QUEUE_LOCK_DURATION_MS: '3000',
      QUEUE_STALLED_INTERVAL_MS: '1000',
      OUTBOX_POLL_INTERVAL_MS: '200',
      OUTBOX_CONFIRM_AFTER_MS: '2000',
      ...urls,
      ...(name === 'gateway' ? { GATEWAY_PORT: String(this.ports.get('gateway')) } : { PORT: String(this.ports.get(name)) }),
      ...this.options.env,
      ...this.options.serviceEnv?.[name],
    };
  }

  /** Starts one process; `env` adds to (or, with '', unsets) its environment for this start only. */
  async startService(name: ServiceName, env: Record<string, string> = {}): Promise<void> {
    const child = spawn(process.execPath, ['--enable-source-maps', `services/${name}/dist/src/main.js`], {
      cwd: REPO_ROOT,
      env: { ...this.env(name), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (output.length > 400) output.splice(0, output.length - 400);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    this.processes.set(name, { child, output, exited });
    try {
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
        const res = await fetch(`${this.serviceUrl(name)}/health/live`);
        if (res.status !== 200) throw new Error(`${name} /health/live ${res.status}`);
      }, 60_000, 100);
    } catch (error) {
      throw new Error(`${name} did not start: ${(error as Error).message}\n${this.logs(name)}`);
    }
  }

  /** SIGKILL: the process gets no chance to finish anything (a crash, an OOM kill). */
  async kill(name: ServiceName): Promise<void> {
    const p = this.processes.get(name);
    if (!p) return;
    p.child.kill('SIGKILL');
    await p.exited;
    this.processes.delete(name);
  }

  /** SIGTERM and wait: a graceful shutdown, as a deployment does it. */
  async terminate(name: ServiceName): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const p = this.processes.get(name);
    if (!p) return { code: null, signal: null };
    p.child.kill('SIGTERM');
    const result = await Promise.race([
      p.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${name} ignored SIGTERM`)), 15_000)),
    ]);
    this.processes.delete(name);
    return result;
  }

  logs(name: ServiceName): string {
    return (this.processes.get(name)?.output ?? []).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((name) => this.kill(name)));
    await deleteKeys(this.queuePrefix).catch(() => undefined);
    await this.db.drop().catch(() => undefined);
  }
}
