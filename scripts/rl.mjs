#!/usr/bin/env node
// `pnpm --silent rl <command>`: the platform's admin CLI (lives in the ingress service, which owns organizations).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const child = spawn(
  process.execPath,
  [path.join(root, 'apps', 'ingress', 'dist', 'cli.js'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
child.on('exit', (code) => process.exit(code ?? 1));
