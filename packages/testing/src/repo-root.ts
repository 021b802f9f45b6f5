import path from 'node:path';

/** The repository root (the folder holding apps/): this file sits in packages/testing/{src,dist}. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
