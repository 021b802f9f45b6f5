import { describe, expect, it } from '@jest/globals';
import { JsonLogger } from './logger';

describe('JsonLogger', () => {
  it('writes one JSON line tagged with the service and masks secrets', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('ingress', 'info', (line) => lines.push(line));
    logger.event('info', 'created', {
      token: 'rocketlead_secret',
      nested: { authorization: 'Bearer x', ok: 1 },
    });
    logger.debug('hidden below the level');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'info',
      service: 'ingress',
      msg: 'created',
      token: '[redacted]',
      nested: { authorization: '[redacted]', ok: 1 },
    });
    expect(lines[0]).not.toContain('rocketlead_secret');
  });
});
