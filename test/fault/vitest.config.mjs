import { packageTestConfig } from '../../vitest.shared.mjs';

export default packageTestConfig({
  include: ['test/**/*.fault-spec.ts'],
  fileParallelism: false,
  testTimeout: 180_000,
});
