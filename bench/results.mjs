// Where a benchmark's figures go. A run writes bench/results/local/<name>.json (ignored by git), so
// running a benchmark never dirties tracked files; `--record` also writes bench/results/<name>.json, the
// figures the project commits deliberately (the ones quoted in closing notes and docs).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

/** Writes the figures and returns the paths written, local first. */
export function writeResults(name, result, { record = false } = {}) {
  const body = `${JSON.stringify(result, null, 2)}\n`;
  const localDir = path.join(resultsDir, 'local');
  mkdirSync(localDir, { recursive: true });
  const written = [path.join(localDir, `${name}.json`)];
  writeFileSync(written[0], body);
  if (record) {
    written.push(path.join(resultsDir, `${name}.json`));
    writeFileSync(written[1], body);
  }
  return written;
}
