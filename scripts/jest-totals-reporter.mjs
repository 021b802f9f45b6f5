// Jest reporter: writes this package's test totals as one JSON file into $RL_TEST_TOTALS_DIR, which
// scripts/test-summary.mjs sums into the run's closing line. Does nothing when the variable is unset.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export default class TotalsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.RL_TEST_TOTALS_DIR;
    if (!dir) return;
    const pkg = JSON.parse(readFileSync(path.join(this.rootDir, 'package.json'), 'utf8')).name;
    const totals = {
      package: pkg,
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      skipped: results.numPendingTests + results.numTodoTests,
      // A file that could not run (syntax error, failing import) has no test results of its own.
      brokenSuites: results.numRuntimeErrorTestSuites,
    };
    const file = `${pkg.replace(/[^a-z0-9-]+/gi, '_')}-${process.pid}.json`;
    writeFileSync(path.join(dir, file), JSON.stringify(totals));
  }
}
