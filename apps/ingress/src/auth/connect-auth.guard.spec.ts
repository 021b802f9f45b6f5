import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import type { ApiTokensRepository } from '../api-tokens/api-tokens.repository';
import type { ApiTokenEntity } from '../api-tokens/api-token.entity';
import { ConnectAuthGuard, RequireScope } from './connect-auth.guard';

class Routes {
  @RequireScope('read')
  scoped(): void {}

  undeclared(): void {}
}

/** Records what the guard logs instead of writing it. */
class RecordingLogger extends JsonLogger {
  readonly lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  override event(level: 'error', msg: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level, msg, fields });
  }
}

const token = {
  id: 't1',
  organizationId: 'o1',
  scopes: ['admin'],
  revokedAt: null,
} as unknown as ApiTokenEntity;
// The guard only asks the repository to authenticate a bearer secret; this one knows a single admin token.
const tokens = { authenticate: (secret: string) => Promise.resolve(secret === 'good' ? token : null) };

function contextFor(handler: 'scoped' | 'undeclared'): ExecutionContext {
  const request = { headers: { authorization: 'Bearer good' } };
  return {
    getClass: () => Routes,
    getHandler: () => Routes.prototype[handler],
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe('ConnectAuthGuard', () => {
  it('lets a token with the declared scope through', async () => {
    const guard = new ConnectAuthGuard(
      tokens as unknown as ApiTokensRepository,
      new Reflector(),
      new RecordingLogger('test'),
    );
    await expect(guard.canActivate(contextFor('scoped'))).resolves.toBe(true);
  });

  it('denies a route that declares no scope, even to an admin token, and logs the route', async () => {
    const logger = new RecordingLogger('test');
    const guard = new ConnectAuthGuard(tokens as unknown as ApiTokensRepository, new Reflector(), logger);
    const denied = await guard.canActivate(contextFor('undeclared')).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(DomainError);
    expect((denied as DomainError).code).toBe('FORBIDDEN');
    expect(logger.lines).toEqual([
      { level: 'error', msg: 'route declares no scope; denied', fields: { route: 'Routes.undeclared' } },
    ]);
  });
});
