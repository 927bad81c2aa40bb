import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const DEEP_IMPORT = { group: ['@careflow/*/**'], message: 'Import a lib through its index only (@careflow/<lib>).' };

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '.nx/**', 'tools/**', '**/*.mjs', '**/*.js'] },
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
            { sourceTag: 'scope:http', onlyDependOnLibsWithTags: ['scope:contracts', 'scope:platform', 'scope:persistence', 'scope:messaging'] },
            { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
      'no-restricted-imports': ['error', { patterns: [DEEP_IMPORT] }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read settings through the config class (loadConfig), not process.env.' },
      ],
    },
  },
  {
    // The test harness and tests start processes and read the test environment.
    files: ['libs/testing/**/*.ts', '**/test/**/*.ts', 'libs/platform/src/load-config.ts'],
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
];
