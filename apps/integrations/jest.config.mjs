import { packageJestConfig } from '../../jest.shared.mjs';

export default packageJestConfig();
