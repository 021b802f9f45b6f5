// One test configuration for every package: SWC keeps Nest's decorator metadata, which esbuild drops.
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export function packageTestConfig(overrides = {}) {
  return defineConfig({
    plugins: [swc.vite({ module: { type: 'es6' } })],
    test: {
      include: ['src/**/*.spec.ts', 'src/**/*.int-spec.ts', 'test/**/*.spec.ts', 'test/**/*.int-spec.ts'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      pool: 'forks',
      ...overrides,
    },
  });
}
