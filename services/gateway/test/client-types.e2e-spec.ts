import { REPO_ROOT, useStack } from '@careflow/testing';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What an integrator does first with /docs/openapi.json: openapi-typescript with its default
 * flags. It must not warn, its output must compile under --strict, and it must be what
 * @careflow/client ships (libs/client/src/generated/openapi.ts), or the client is stale.
 */
describe('openapi-typescript on the document the gateway serves', () => {
  const system = useStack();
  let dir: string;
  let generated: { status: number | null; output: string[]; file: string };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'careflow-openapi-typescript-'));
    const document = await system.api.get('/docs/openapi.json').expect(200);
    expect(document.headers['x-careflow-missing-services']).toBeUndefined();
    await writeFile(path.join(dir, 'openapi.json'), JSON.stringify(document.body));
    const cli = path.join(REPO_ROOT, 'node_modules/openapi-typescript/bin/cli.js');
    const run = spawnSync(process.execPath, [cli, 'openapi.json', '--output', 'openapi.ts'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    generated = { status: run.status, output: `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.trim() !== ''), file: path.join(dir, 'openapi.ts') };
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('generates without a warning', () => {
    expect(generated.status).toBe(0);
    // Its banner (✨) and the file it wrote (🚀), nothing else.
    expect(generated.output.filter((line) => !/^(✨|🚀)/u.test(line.trim()))).toEqual([]);
  });

  it('generates types that compile under --strict', () => {
    const tsc = path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const run = spawnSync(
      process.execPath,
      [tsc, '--strict', '--noEmit', '--skipLibCheck', 'false', '--target', 'es2023', '--module', 'nodenext', generated.file],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(run.status).toBe(0);
  });

  it('generates what @careflow/client ships (run `npm run generate:client` when this fails)', async () => {
    const shipped = await readFile(path.join(REPO_ROOT, 'libs/client/src/generated/openapi.ts'), 'utf8');
    expect(await readFile(generated.file, 'utf8')).toBe(shipped);
  });
});
