import { packageJestConfig } from '../../jest.shared.mjs';

export default packageJestConfig({ testMatch: ['<rootDir>/test/**/*.fault-spec.ts'], testTimeout: 180_000 });
