import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.scratch/', 'dist/', 'demo/dist/', 'demo/static-dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'The app, domain and memory store are web-standard only.' }] }],
    },
  },
  {
    // Node-only code may use node: modules; the app, domain, SDK and widgets may not.
    files: ['server/node.ts', 'server/affinity.ts', 'server/docs.ts', 'server/client-address.ts', 'server/store/file.ts', 'server/store/fs.ts', 'server/store/lock.ts', 'server/store/append-log.ts', 'server/store/event-files.ts', 'server/store/legacy.ts', 'server/store/postgres/**', 'server/migrate.ts', 'server/mail/smtp.ts', 'server/webhooks/send-worker.ts', 'server/webhooks/worker-transport.ts', 'demo/server.ts', 'demo/vite.config.ts', 'scripts/**', 'test/**', '*.config.*'],
    rules: { 'no-restricted-imports': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
