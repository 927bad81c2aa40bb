import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const DEEP_IMPORT = { group: ['@careflow/*/**'], message: 'Import a lib through its index only (@careflow/<lib>).' };
const PROCESS_ENV = { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read settings through the config class (loadConfig), not process.env.' };
// Request DTOs use the field rules of @careflow/http: these let hostile input through (README, API conventions).
const LOOSE_VALIDATORS = {
  name: 'class-validator',
  importNames: ['IsOptional', 'IsDateString', 'IsISO8601'],
  message: 'Use OptionalField/NullableField (null is decided per field) and IsTimestamp (the one date rule) from @careflow/http.',
};
const LOOSE_PARTIAL = {
  selector: "CallExpression[callee.name='PartialType'][arguments.length=1]",
  message: 'PartialType marks every field @IsOptional (null passes): pass { skipNullProperties: false }.',
};

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '.nx/**', 'tools/**', '**/*.mjs', '**/*.js', 'libs/client/src/generated/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      // Services never import each other; libs never import services; nothing reaches past a
      // lib's index; each lib only depends on the layers below it.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: false,
          depConstraints: [
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', notDependOnLibsWithTags: ['type:service'] },
            { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:contracts'] },
            { sourceTag: 'scope:persistence', onlyDependOnLibsWithTags: ['scope:contracts', 'scope:platform'] },
            { sourceTag: 'scope:messaging', onlyDependOnLibsWithTags: ['scope:contracts', 'scope:platform', 'scope:persistence'] },
            { sourceTag: 'scope:http', onlyDependOnLibsWithTags: ['scope:contracts', 'scope:platform'] },
            { sourceTag: 'scope:service-kit', onlyDependOnLibsWithTags: ['scope:contracts', 'scope:platform', 'scope:persistence', 'scope:messaging', 'scope:http'] },
            { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['type:lib'] },
            // Published to integrators: it stands alone.
            { sourceTag: 'scope:client', onlyDependOnLibsWithTags: [] },
          ],
        },
      ],
      'no-restricted-imports': ['error', { patterns: [DEEP_IMPORT] }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', PROCESS_ENV],
    },
  },
  {
    // The shop's integration is held to what an integrator's strict code would be: no casts, no any, no `!`.
    files: ['services/gateway/test/shop-integration.ts'],
    rules: {
      '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },
  {
    // The test harness and tests start processes and read the test environment.
    files: ['libs/testing/**/*.ts', '**/test/**/*.ts', '**/*.integration-spec.ts', 'libs/platform/src/load-config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Production code never depends on the test harness.
    files: ['services/*/src/**/*.ts', 'libs/!(testing)/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@careflow/testing', message: 'Test code only.' }], patterns: [DEEP_IMPORT] }],
    },
  },
  {
    // What a client sends is validated with the field rules of @careflow/http.
    files: ['services/*/src/modules/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@careflow/testing', message: 'Test code only.' }, LOOSE_VALIDATORS], patterns: [DEEP_IMPORT] }],
      'no-restricted-syntax': ['error', PROCESS_ENV, LOOSE_PARTIAL],
    },
  },
];
