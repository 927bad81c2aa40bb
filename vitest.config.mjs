import { defineConfig } from 'vitest/config';

// Tests run on the build output (tsc emits decorator metadata, which Nest's DI and
// class-validator need), so `npm test` builds first. Three tiers, named by file.
const dist = (pattern) => [`libs/*/dist/**/${pattern}`, `services/*/dist/**/${pattern}`];

export default defineConfig({
  test: {
    globalSetup: ['libs/testing/dist/global-setup.js'],
    setupFiles: ['reflect-metadata'],
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: dist('*.spec.js') } },
      { extends: true, test: { name: 'integration', include: dist('*.integration-spec.js') } },
      { extends: true, test: { name: 'e2e', include: dist('*.e2e-spec.js') } },
    ],
  },
});
