// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'ui/dist/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    // Layering rule: policies and upstreams never import the HTTP server; config never imports runtime.
    files: ['src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['../server/*', '../mcp/*', '../admin/*', '../runtime/*', '../policies/*'] },
      ],
    },
  },
  {
    files: ['src/mcp/upstream/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['../../policies/*', '../../server/*', '../../admin/*'] },
      ],
    },
  },
  {
    files: ['src/policies/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../../mcp/upstream/*', '../../admin/*'] }],
    },
  },
);
