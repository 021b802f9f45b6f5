// An unhandled rejection or uncaught exception in a service is a bug it survives: one JSON error line with
// the stack, and the process keeps running. Run in a child process, as a service runs.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const MESSAGING_DIST = path.join(__dirname, '..', 'dist', 'index.js');

const SCRIPT = `
const { surviveUnhandledErrors } = require(${JSON.stringify(MESSAGING_DIST)});
const { JsonLogger } = require('@rocketlead/observability');
surviveUnhandledErrors(new JsonLogger('crashy'));
Promise.reject(new Error('rejected on purpose'));
setTimeout(() => { throw new Error('thrown on purpose'); }, 10);
// Still running afterwards: it answers, then ends normally.
setTimeout(() => { process.stdout.write(JSON.stringify({ msg: 'still running' }) + '\\n'); }, 200);
`;

describe('surviveUnhandledErrors', () => {
  it('logs an unhandled rejection and an uncaught exception with their stacks, and keeps running', () => {
    const result = spawnSync(process.execPath, ['-e', SCRIPT], {
      cwd: path.join(__dirname, '..'),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(0);
    const lines = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const rejection = lines.find((l) => String(l.msg).startsWith('unhandled rejection'));
    const exception = lines.find((l) => String(l.msg).startsWith('uncaught exception'));
    expect(rejection).toMatchObject({
      level: 'error',
      service: 'crashy',
      error: { message: 'rejected on purpose', stack: expect.stringContaining('Error: rejected on purpose') },
    });
    expect(exception).toMatchObject({
      level: 'error',
      error: { message: 'thrown on purpose', stack: expect.stringContaining('Error: thrown on purpose') },
    });
    expect(lines.at(-1)).toEqual({ msg: 'still running' });
  });
});
