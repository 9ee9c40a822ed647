// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Terminal output handling matches ANSI escape sequences on purpose.
      'no-control-regex': 'off',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The CLI sits on top: nothing under src imports it (workflows, domain and protocol have stricter rules below).
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cli/*', '**/cli'],
              message: 'src/cli is the top layer: move what both sides need below it instead.',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: only the workflow SDK, the pure core and type-only
    // imports of activities are allowed.
    files: ['src/workflows/**/*.ts'],
    rules: {
      // A run's state lives in the run: module-level mutable state could differ between the original
      // run and a replay, and a replay must issue the same commands.
      'no-restricted-syntax': [
        'error',
        {
          selector: ':matches(Program, Program > ExportNamedDeclaration) > VariableDeclaration[kind!="const"]',
          message: 'No module-level let/var in workflow code: keep the state in the run (e.g. RolloutState).',
        },
        {
          selector:
            ':matches(Program, Program > ExportNamedDeclaration) > VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(Map|Set|WeakMap|WeakSet|Array)$/]',
          message: 'No module-level Map/Set/Array in workflow code: keep the state in the run (e.g. RolloutState).',
        },
        {
          selector: 'PropertyDefinition[static=true][readonly!=true]',
          message: 'No mutable static fields in workflow code: keep the state in the run.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@temporalio/worker',
                '@temporalio/client',
                '@temporalio/activity',
                'nats',
                'pino',
                'node:*',
                'fs',
                'path',
                'crypto',
                'os',
                'child_process',
              ],
              message:
                'Workflow code must stay deterministic: import only @temporalio/workflow, src/domain and src/protocol.',
            },
            {
              group: ['../activities/*', '../activities'],
              message: 'Use `import type` for activities.',
              allowTypeImports: true,
            },
            {
              group: ['../nats/*', '../agent/*', '../client/*', '../cli/*'],
              message: 'Workflow code must not import I/O modules.',
            },
          ],
        },
      ],
    },
  },
  {
    // The pure core: no Temporal, NATS, logging or Node I/O.
    files: ['src/domain/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@temporalio/*', 'nats', 'pino', 'node:*', 'fs', 'path', 'child_process', 'net', 'http', 'os'],
              message: 'src/domain and src/protocol are pure: no I/O, no Temporal, no NATS.',
            },
          ],
        },
      ],
    },
  },
  {
    // The agent's halves: node/ is the protocol side and what both installers share; real/ and
    // simulated/ build on it and never on each other.
    files: ['src/agent/real/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/simulated/*'], message: 'real/ never imports simulated/; share through src/agent/node.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/agent/simulated/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/real/*'], message: 'simulated/ never imports real/; share through src/agent/node.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/agent/node/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/real/*', '**/simulated/*'], message: 'node/ is what both halves share: it imports neither.' },
          ],
        },
      ],
    },
  },
);
