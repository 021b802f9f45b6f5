// Jest exits only once nothing keeps Node alive, so a test that leaves a connection, timer or child process
// open (typically after a failed setup) would hang the whole run. This reporter ends a run that is still
// alive some seconds after its results are in, saying so, with the exit code those results call for.
// Its timer is unref'd: a run that ends by itself never waits for it.
const GRACE_MS = 10_000;

export default class ExitGuard {
  constructor(globalConfig) {
    this.detectOpenHandles = globalConfig.detectOpenHandles;
  }

  onRunComplete(_contexts, results) {
    if (this.detectOpenHandles) return;
    setTimeout(() => {
      console.error(
        `jest-exit-guard: something a test left open kept Jest alive ${GRACE_MS / 1000} s after the run; ` +
          'exiting (run jest --detectOpenHandles to find it)',
      );
      process.exit(results.success ? 0 : 1);
    }, GRACE_MS).unref();
  }
}
