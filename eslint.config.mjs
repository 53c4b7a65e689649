import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', '**/*.js', '**/*.d.ts', '**/*.mjs', 'test/package/consumer-app/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The reusable library runs at synth: it may not call AWS, nor depend on the reference app.
    files: ['constructs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@aws-sdk/*', '**/lib/**', '**/bin/**'] }] },
  },
  {
    // Lambda code runs in AWS: it may call AWS, but not pull in the CDK or the reference app.
    files: ['constructs/**/runtime/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', '**/lib/**', '**/bin/**'] }],
    },
  },
  {
    // Jest's asymmetric matchers (expect.stringMatching, expect.objectContaining) are typed any.
    files: ['test/**/*.ts', 'app/test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
);
