// ESLint 9 flat config: typescript-eslint's recommended rules (syntax only, no type information: fast enough to run
// in `npm test` on a loaded two-core box), tuned to what this code base holds to. Formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'bench-results/**',
      'test-results/**',
      'server/basemap/layers/**',
      'docs/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused code is an error; a leading underscore marks a parameter kept for its position (Express error handlers).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // `import type` for types: the boundary check and the bundler see what is only a type.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // Node, zod, Socket.IO, Cesium and test helpers hand back `any` in places (about 80 uses): allowed.
      '@typescript-eslint/no-explicit-any': 'off',
      // `a && b()`, `c ? d() : e()` and comma sequences `(x = 0), (y = 1)` as statements are this code base's short form
      // in loops; the rule cannot tell them from a forgotten call, and tsc already flags most pure expressions.
      '@typescript-eslint/no-unused-expressions': 'off',
      // `const self = this` where a callback API rebinds `this` (Cesium's, Node's stream internals).
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
      // Control characters in regular expressions are the point where text is checked for NUL and C0 bytes.
      'no-control-regex': 'off',
      // `x!` after a check the compiler cannot follow (map lookups, array indexes under noUncheckedIndexedAccess).
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': ['error', { destructuring: 'all' }],
      'no-throw-literal': 'error',
      'no-console': 'off',
    },
  },
  {
    // CommonJS files (tool configs, a soak probe preloaded with node -r): require, module and Node's globals.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
