// One Jest configuration for every package. SWC compiles TypeScript to CommonJS (as tsconfig's
// `module: commonjs` does) and keeps Nest's legacy decorators and their design-type metadata.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

/** Unit (*.spec.ts) and integration (*.int-spec.ts) tests under src/ and test/ by default. */
export function packageJestConfig(overrides = {}) {
  return {
    testEnvironment: 'node',
    testMatch: [
      '<rootDir>/src/**/*.spec.ts',
      '<rootDir>/src/**/*.int-spec.ts',
      '<rootDir>/test/**/*.spec.ts',
      '<rootDir>/test/**/*.int-spec.ts',
    ],
    transform: { '^.+\\.ts$': ['@swc/jest', swc] },
    moduleFileExtensions: ['ts', 'js', 'json', 'node'],
    // Jest has one timeout for tests and hooks; hooks that start infrastructure pass their own.
    testTimeout: 60_000,
    reporters: [
      'default',
      path.join(ROOT, 'scripts', 'jest-totals-reporter.mjs'),
      path.join(ROOT, 'scripts', 'jest-exit-guard.mjs'),
    ],
    ...overrides,
  };
}
