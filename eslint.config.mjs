// The rules a reviewer would otherwise repeat in every review, checked by `npm test` (npm run lint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Folders that must not know the Bot Framework, restify or Knex (docs/architecture.md, "Folders"). */
const BOT_FRAMEWORK = ['botbuilder', 'botbuilder-*', 'botframework-*'];
const restricted = (patterns, message) => ({ group: patterns, message });

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'var/', 'coverage/', 'test-results/', 'console/static/*.js', 'bot/channels/directLine/page/*.js', 'test/helpers/*.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['console/static/*.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits fails silently: await it, return it, or mark it `void` on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'smart'],
      'no-control-regex': 'off',
      // One clock (retention/clock.ts): time comes from the injected Clock, so a suite that passes today passes next year.
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Read the injected Clock (retention/clock.ts), not Date.now().',
        },
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'Read the injected Clock (retention/clock.ts), not Date.now.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date() reads the wall clock: pass the injected Clock’s time.' },
      ],
    },
  },
  {
    // The one reader of the system clock, the command-line tools (each is its own composition root) and the tests,
    // whose clocks are their own.
    files: ['retention/clock.ts', 'bench/**/*.ts', 'test/**/*.ts', 'console/static/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['retention/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            restricted(BOT_FRAMEWORK, 'retention/ holds pure rules: no Bot Framework.'),
            restricted(
              ['restify', 'knex', 'pg', 'better-sqlite3', '../data/*', '../bot/*', '../dialogs/*', '../services/*', '../console/*'],
              'retention/ holds pure rules: no HTTP, no database, no other layer.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            restricted(BOT_FRAMEWORK, 'services/ are free of the Bot Framework (only bot/ and dialogs/ know it).'),
            restricted(
              ['restify', 'knex', 'pg', 'better-sqlite3', '../bot/*', '../dialogs/*', '../console/*'],
              'services/ take repositories (interfaces) and the clock: no HTTP, no Knex, no outer layer.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['dialogs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            restricted(
              ['restify', 'knex', 'pg', 'better-sqlite3', '../bot/*', '../console/*'],
              'dialogs/ ask and answer; they reach data only through services and repository interfaces.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['data/**/*.ts', 'console/**/*.ts', 'prompts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [restricted(BOT_FRAMEWORK, 'Only bot/ and dialogs/ import the Bot Framework (docs/decisions/0006).')] }],
    },
  },
);
