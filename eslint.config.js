// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Steps are pure: no prompts, no printing, no process exit (ARCHITECTURE.md).
    files: ['steps/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': ['error', { patterns: ['@inquirer/*', 'listr2', '**/src/wizard/**', '**/src/cli/**'] }],
      'no-restricted-properties': ['error', { object: 'process', property: 'exit' }],
    },
  },
  {
    // Only the command line exits the process.
    files: ['src/engine/**/*.ts', 'src/aws/**/*.ts', 'src/progress/**/*.ts', 'src/wizard/**/*.ts', 'src/sandbox/**/*.ts'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'exit' }] },
  },
  {
    files: ['bin/*.js', 'scripts/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
