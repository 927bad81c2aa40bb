import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// dist/readme.spec.js → the package's root.
const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = path.resolve(PACKAGE, '../..');

describe("the client README's quick start", () => {
  it('compiles under --strict against the client as built', () => {
    const readme = readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README.md has a ```ts block').toBeDefined();
    // Inside the package, so `@careflow/client` resolves as an integrator's project resolves it.
    const dir = path.join(PACKAGE, 'dist', 'readme-check');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'quick-start.ts');
    writeFileSync(file, `${block!}\nexport {};\n`);
    const tsc = path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const run = spawnSync(
      process.execPath,
      [tsc, '--ignoreConfig', '--strict', '--noEmit', '--skipLibCheck', '--target', 'es2023', '--module', 'nodenext', '--types', 'node', file],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(run.status).toBe(0);
  });
});
