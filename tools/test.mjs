#!/usr/bin/env node
// `npm test`: the whole suite, as CI runs it. Builds (tests run on the build output),
// checks @careflow/client's committed types against the API, lints (module boundaries
// included), checks the deployment files, then runs the unit, integration and e2e tiers
// against the real Postgres and Redis.
// Extra arguments go to vitest: `npm test -- --project unit`, `npm test -- services/tickets`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, file) => path.join(root, 'node_modules', pkg, file);
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

const steps = [
  ['build', [bin('typescript', 'bin/tsc'), '-b', 'tsconfig.build.json']],
  // The client's generated types are committed; this fails when the API moved without them.
  ['client types', [path.join(root, 'tools/generate-client.mjs'), '--check']],
  ['project graph', [bin('nx', 'dist/bin/nx.js'), 'show', 'projects']],
  ['lint', [bin('eslint', 'bin/eslint.js'), '.', '--max-warnings=0']],
  ['deployment files', [path.join(root, 'tools/check-deploy.mjs')]],
  ['tests', [bin('vitest', 'vitest.mjs'), 'run', ...process.argv.slice(2)]],
];

const timings = [];
for (const [name, args] of steps) {
  const started = Date.now();
  process.stdout.write(`\n▶ ${name}\n`);
  const quiet = name === 'project graph';
  const result = spawnSync(process.execPath, args, { cwd: root, env, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
  timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (result.status !== 0) {
    process.stderr.write(`\n✖ ${name} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
}
process.stdout.write(`\n✔ all passed: ${timings.join(', ')}\n`);
