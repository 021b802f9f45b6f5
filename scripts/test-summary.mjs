// Runs the given command (the packages' test runs) with RL_TEST_TOTALS_DIR pointing at a fresh temp
// folder, where each package's Jest reporter (scripts/jest-totals-reporter.mjs) leaves its totals; then
// prints the run's closing line `tests: N passed, N failed, N skipped` and exits non-zero if the
// command failed, any test failed, or no test ran at all.
// Usage: node scripts/test-summary.mjs <command> [args...]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.on('error', (error) => {
      console.error(`test-summary: ${command}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

function readTotals(dir) {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const t = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    totals.passed += t.passed;
    // A test file that could not run at all counts as one failure, so a broken run never reads "0 failed".
    totals.failed += t.failed + t.brokenSuites;
    totals.skipped += t.skipped;
  }
  return totals;
}

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/test-summary.mjs <command> [args...]');
  process.exit(2);
}

const dir = mkdtempSync(path.join(tmpdir(), 'rl-test-totals-'));
let status;
let totals;
try {
  status = await run(command, args, { ...process.env, RL_TEST_TOTALS_DIR: dir });
  totals = readTotals(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (status !== 0 && totals.failed === 0) console.error(`test-summary: ${command} exited with ${status}`);
if (totals.passed + totals.failed === 0) console.error('test-summary: no test ran');
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status !== 0 || totals.failed > 0 || totals.passed + totals.failed === 0 ? 1 : 0);
