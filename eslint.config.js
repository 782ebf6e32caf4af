// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const AREAS = ['account', 'infrastructure', 'resources', 'data', 'monitoring'];

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
    // Imports run one way (cli → wizard → engine → steps → step kit → aws): a circle fails the lint.
    files: ['src/**/*.ts', 'steps/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver': undefined,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  // Steps are pure: no prompts, no printing, no process exit (ARCHITECTURE.md). From the engine they
  // take only the step kit (src/engine/step-kit.ts); besides that, src/aws, their own area's
  // `_shared` and libraries. One block per area, so an area cannot reach into another's files.
  ...AREAS.map((area) => ({
    files: [`steps/${area}/**/*.ts`],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@inquirer/*', 'listr2'], message: 'Steps never prompt: declare inputs, the wizard asks.' },
            {
              group: ['**/src/engine/*', '!**/src/engine/step-kit.js', '**/src/wizard/**', '**/src/cli/**', '**/src/progress/**', '**/src/sandbox/**', '**/src/*.js'],
              message: 'Steps import the engine only through src/engine/step-kit.ts (and src/aws directly).',
            },
            { group: ['**/steps/index.js', '../../index.js', '../../validate.js'], message: 'Steps never import the registry.' },
            { regex: '^\\.\\./(?!_shared/|\\.\\./)[^/]+/', message: 'A step shares code with the other steps of its area only through _shared.' },
            {
              group: AREAS.filter((a) => a !== area).flatMap((a) => [`../../${a}/**`, `../${a}/**`]),
              message: `Steps of the ${area} area share code only through steps/${area}/_shared.`,
            },
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'process', property: 'exit' }],
    },
  })),
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
