import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './stack.js';

/**
 * The house shape (STYLE.md) as checks: a feature folder is a Nest module, and SQL lives in
 * repositories (and migrations) only, so a reader finds where a change happens from file names.
 */
const SERVICES = readdirSync(path.join(REPO_ROOT, 'services')).filter((s) => statSync(path.join(REPO_ROOT, 'services', s, 'src')).isDirectory());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

/** A statement run against Postgres, or the text of one. */
const SQL = /\.query\s*[<(]|\b(SELECT\s[\s\S]*?\sFROM|INSERT\s+INTO|UPDATE\s+[a-z_]+\.[a-z_]+\s+SET|DELETE\s+FROM|ON\s+CONFLICT)\b/;

describe('the house shape of every service', () => {
  it('has a Nest module in every feature folder', () => {
    const missing = SERVICES.flatMap((service) => {
      const modules = path.join(REPO_ROOT, 'services', service, 'src', 'modules');
      let features: string[];
      try {
        features = readdirSync(modules, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
      } catch {
        return [];
      }
      return features.filter((f) => !readdirSync(path.join(modules, f)).includes(`${f}.module.ts`)).map((f) => `services/${service}/src/modules/${f}`);
    });
    expect(missing, 'feature folders without <folder>.module.ts').toEqual([]);
  });

  it('keeps SQL in repositories and migrations', () => {
    const offenders = SERVICES.flatMap((service) =>
      sourceFiles(path.join(REPO_ROOT, 'services', service, 'src'))
        .filter((file) => !file.endsWith('.repository.ts') && !file.includes(`${path.sep}migrations${path.sep}`))
        .filter((file) => SQL.test(readFileSync(file, 'utf8')))
        .map((file) => path.relative(REPO_ROOT, file)),
    );
    expect(offenders, 'files with SQL outside *.repository.ts and database/migrations').toEqual([]);
  });
});
