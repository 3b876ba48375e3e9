// ESLint (flat config): typescript-eslint's type-aware recommended rules, plus the rules this
// codebase relies on (no floating promises: an unawaited rejection can end the process).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'schema/generated/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Kept strict (ignoreVoid: false): `void p` hides a rejection just as well as a bare `p`.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Off: every hit implements an async interface synchronously (in-process coordinator and stores,
      // simulator commands, test fakes); `async` keeps a synchronous throw a rejection, as the interface says.
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
  // The web page: plain ES modules run in a browser.
  { files: ['src/web/**/*.js'], languageOptions: { globals: globals.browser } },
  // Node scripts (build and bench hooks).
  { files: ['**/*.mjs', 'scripts/**/*.js'], languageOptions: { globals: globals.node } },
  {
    files: ['test/**'],
    rules: {
      // Vitest's asymmetric matchers (expect.stringMatching…) and JSON.parse of responses are `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  prettier,
);
