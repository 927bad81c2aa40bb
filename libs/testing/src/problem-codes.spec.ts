import { PROBLEM_CODES, STATUS_TITLES } from '@careflow/http';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from './stack.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'dist' || entry.name === 'node_modules' || entry.name === 'test' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.includes('.spec.') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Where a problem code is written down in the sources: a DomainError's `code`, a ConflictError, a hand-built problem(). */
const CODE = /readonly code = '([a-z0-9-]+)'|ConflictError\(\s*'([a-z0-9-]+)'|problem\(\s*\d{3},\s*'([a-z0-9-]+)'/g;

it('documents every problem code the code can answer with in the ProblemCode enum', () => {
  const written = new Set<string>(Object.values(STATUS_TITLES).map(([code]) => code));
  for (const root of ['services', 'libs']) {
    for (const file of sourceFiles(path.join(REPO_ROOT, root))) {
      for (const match of readFileSync(file, 'utf8').matchAll(CODE)) written.add((match[1] ?? match[2] ?? match[3])!);
    }
  }
  expect(written.size).toBeGreaterThan(20);
  expect([...written].filter((code) => !(PROBLEM_CODES as readonly string[]).includes(code)).sort()).toEqual([]);
});
