// ESLint (flat config): typescript-eslint's type-aware recommended rules, plus the rules this
// codebase relies on (no floating promises: an unawaited rejection can end the process).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// Globals of the runtimes our plain-JS files run in (the few names they use, and their neighbours).
const shared = ['console', 'URL', 'URLSearchParams', 'fetch', 'FormData', 'Headers', 'Request', 'Response', 'AbortController', 'TextEncoder', 'TextDecoder', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'structuredClone'];
const browser = [...shared, 'window', 'document', 'location', 'history', 'navigator', 'localStorage', 'sessionStorage', 'WebSocket', 'Blob', 'File', 'FileReader', 'Event', 'CustomEvent', 'HTMLElement', 'requestAnimationFrame'];
const node = [...shared, 'process', 'Buffer', 'setImmediate', 'clearImmediate'];
const readonly = (names) => Object.fromEntries(names.map((name) => [name, 'readonly']));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'src/generated/', 'coverage/'] },
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
  { files: ['src/web/**/*.js'], languageOptions: { globals: readonly(browser) } },
  // Node scripts (build and bench hooks).
  { files: ['**/*.mjs', 'scripts/**/*.js'], languageOptions: { globals: readonly(node) } },
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
