// One lint configuration for every workspace: typescript-eslint's type-checked rules, with
// formatting left to Prettier (eslint-config-prettier turns off the rules that would clash).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.verity/**', '**/coverage/**', '.turbo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // kafkajs handlers, express handlers and jest callbacks must return promises by their
      // types even when a body has nothing to await; no-floating-promises and
      // no-misused-promises guard the real mistakes.
      '@typescript-eslint/require-await': 'off',
      // A package's surface is `@verity/<name>` (and `@verity/<name>/testing` for specs); the
      // layering check sees resolved files only, so the import text is checked here.
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^@verity/[^/]+/(src|dist|scripts)(/|$)', message: 'Import the package by its name.' }] },
      ],
      // A caught cause is passed on unchanged (STYLE.md), whatever its static type.
      '@typescript-eslint/prefer-promise-reject-errors': [
        'error',
        { allowThrowingAny: true, allowThrowingUnknown: true },
      ],
    },
  },
  {
    // Tests read HTTP and GraphQL bodies as JSON (any) and assert on them: the assertion is the
    // type check there.
    files: ['**/*.spec.ts', '**/src/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs' },
    // Plain CommonJS scripts that run before the build (launchers, generators) require().
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  prettier,
);
