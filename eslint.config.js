import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // Template literals with numbers are everywhere in messages and SQL; they are safe.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The domain core is pure: no I/O, no storage, no crypto, no protocol.
    files: ['packages/server/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'net', 'http', 'crypto', 'prom-client'],
              message: 'The domain core does no I/O.',
            },
            {
              group: ['**/storage/**', '**/crypto/**', '**/protocols/**', '**/services/**', '**/http/**'],
              message: 'The domain core depends on nothing else.',
            },
          ],
        },
      ],
    },
  },
  {
    // Storage sees ciphertext only; it never touches keys.
    files: ['packages/server/src/storage/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/crypto/**', '**/protocols/**', '**/services/**'],
              message: 'Storage sees only ciphertext and domain types.',
            },
          ],
        },
      ],
    },
  },
  {
    // Services report metrics through their port (services/metrics.ts); the library lives in http/.
    files: ['packages/server/src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['prom-client'], message: 'Report through MetricsRecorder (services/metrics.ts).' },
          ],
        },
      ],
    },
  },
  {
    // Protocol adapters call services; they never reach storage or crypto directly, and access
    // decisions and audit events are the operation pipeline's (services/operations/), never theirs.
    files: ['packages/server/src/protocols/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/storage/**', '**/crypto/**'], message: 'Adapters talk to services only.' },
            {
              group: ['**/domain/access-decision*', '**/domain/policy-evaluation*', '**/domain/ram-policy*'],
              message: 'Access is decided by the operation pipeline (services/operations/access.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // Outbound adapters (rotators) implement the rotation port and see nothing else of the server.
    files: ['packages/server/src/rotators/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/storage/**', '**/protocols/**', '**/http/**', '**/crypto/**'],
              message: 'Rotators talk to their target system only.',
            },
            {
              regex: '/services/(?!rotation/rotator\\.js$)',
              message: 'Rotators depend on the rotation port (services/rotation/rotator.ts) only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The console reads the API's JSON answers field by field, as `any`; the page has the browser's globals.
    files: ['packages/console/src/**/*.{ts,tsx}'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', fetch: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.test.ts', 'packages/*/test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly' },
    },
  },
);
