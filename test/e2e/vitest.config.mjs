import { packageTestConfig } from '../../vitest.shared.mjs';

export default packageTestConfig({ include: ['test/**/*.e2e-spec.ts'], fileParallelism: false });
