import { packageJestConfig } from '../../jest.shared.mjs';

export default packageJestConfig({ testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] });
