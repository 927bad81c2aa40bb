#!/usr/bin/env node
// Generates @careflow/client's types from the merged OpenAPI document, without running any
// service: each service's Nest app is created in preview mode (modules resolved, providers
// never instantiated, so no Postgres, Redis or ports), documented with the same options its
// main.ts serves, and merged exactly as the gateway merges them. Needs the build output.
//
//   node tools/generate-client.mjs                  writes libs/client/openapi.json and src/generated/openapi.ts
//   node tools/generate-client.mjs --check          fails if the committed files are stale
// The e2e suite also compares the committed types with those generated from the document the
// running gateway serves (services/gateway/test/client-types.e2e-spec.ts).
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCUMENT = path.join(root, 'libs/client/openapi.json');
const TYPES = path.join(root, 'libs/client/src/generated/openapi.ts');
const args = process.argv.slice(2);
const check = args.includes('--check');

const dist = (file) => import(pathToFileURL(path.join(root, file)).href);

/** The merged document, built in this process from the services' build output. */
async function mergedDocument() {
  // The config classes validate at module creation; preview mode never uses the values.
  process.env['INTERNAL_TOKEN'] ??= 'openapi-generation-placeholder';
  process.env['LOG_LEVEL'] = 'silent';
  const { NestFactory } = await import('@nestjs/core');
  const { buildOpenApi } = await import('@careflow/http');
  const { SERVICES, } = await dist('services/gateway/dist/src/modules/proxy/service-routes.js');
  const { mergeDocuments } = await dist('services/gateway/dist/src/modules/docs/openapi-aggregator.js');
  const describe = async (service) => {
    const { AppModule } = await dist(`services/${service}/dist/src/app.module.js`);
    const { API_DOCUMENT } = await dist(`services/${service}/dist/src/api-document.js`);
    const app = await NestFactory.create(AppModule.create(), { preview: true, logger: false, abortOnError: false });
    try {
      return buildOpenApi(app, API_DOCUMENT.title, API_DOCUMENT.description, API_DOCUMENT);
    } finally {
      await app.close();
    }
  };
  const own = await describe('gateway');
  const parts = [];
  for (const service of SERVICES) parts.push([service, await describe(service)]);
  const problems = [];
  const logger = { error: (fields, message) => problems.push(`${message} ${JSON.stringify(fields)}`) };
  const merged = mergeDocuments(own, parts, logger);
  if (problems.length > 0) throw new Error(`the documents do not merge cleanly:\n${problems.join('\n')}`);
  return `${JSON.stringify(merged, null, 2)}\n`;
}

/** openapi-typescript's CLI with default flags, as an integrator would run it; warnings fail. */
function typesFor(documentFile, dir) {
  const out = path.join(dir, 'openapi.ts');
  const cli = path.join(root, 'node_modules/openapi-typescript/bin/cli.js');
  const result = spawnSync(process.execPath, [cli, documentFile, '--output', out], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  // It prints its banner (✨) and the file it wrote (🚀); any other line is a warning.
  const warnings = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.trim() !== '' && !/^(✨|🚀)/u.test(line.trim()));
  if (result.status !== 0 || warnings.length > 0) {
    throw new Error(`openapi-typescript failed or warned (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return readFileSync(out, 'utf8');
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'careflow-client-'));
try {
  const document = await mergedDocument();
  const documentFile = path.join(dir, 'openapi.json');
  writeFileSync(documentFile, document);
  const types = typesFor(documentFile, dir);
  if (check) {
    const stale = [];
    if (readFileSync(TYPES, 'utf8') !== types) stale.push(path.relative(root, TYPES));
    if (readFileSync(DOCUMENT, 'utf8') !== document) stale.push(path.relative(root, DOCUMENT));
    if (stale.length > 0) {
      process.stderr.write(`✖ stale: ${stale.join(', ')} no longer match the API. Run \`npm run generate:client\` and commit the result.\n`);
      process.exit(1);
    }
    process.stdout.write('✔ @careflow/client matches the API document\n');
  } else {
    writeFileSync(DOCUMENT, document);
    writeFileSync(TYPES, types);
    process.stdout.write(`wrote ${path.relative(root, DOCUMENT)} and ${path.relative(root, TYPES)}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// Nest's preview apps may leave handles (Redis clients are never created, but be sure).
process.exit(process.exitCode ?? 0);
