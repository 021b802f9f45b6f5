import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { ApiTokensRepository } from '../api-tokens/api-tokens.repository';
import type { Scope } from '../api-tokens/api-token.entity';
import type { AuthenticatedRequest } from './principal';

const REQUIRED_SCOPE = 'rocketlead:required-scope';

/** The scope a Connect route needs: `read` for GETs, `write` for entry changes, `admin` for configuration. */
export const RequireScope = (scope: Scope): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_SCOPE, scope);

/** admin grants everything; write also grants read, so a client can read back what it wrote. */
export function grants(scopes: readonly Scope[], required: Scope): boolean {
  if (scopes.includes('admin')) return true;
  if (required === 'read') return scopes.includes('read') || scopes.includes('write');
  return scopes.includes(required);
}

@Injectable()
export class ConnectAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: ApiTokensRepository,
    private readonly reflector: Reflector,
    private readonly logger: JsonLogger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<AuthenticatedRequest & { headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const token = match ? await this.tokens.authenticate(match[1]!) : null;
    if (!token) throw new DomainError('UNAUTHORIZED', 'Missing or invalid API token');
    const required = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required) {
      // A route without a declared scope is a programming error: deny it rather than let any token in.
      this.logger.event('error', 'route declares no scope; denied', {
        route: `${context.getClass().name}.${context.getHandler().name}`,
      });
      throw new DomainError('FORBIDDEN', 'This route declares no required scope; access is denied');
    }
    if (!grants(token.scopes, required)) {
      throw new DomainError('FORBIDDEN', `This API token lacks the ${required} scope`, {
        requiredScope: required,
      });
    }
    request.principal = { organizationId: token.organizationId, tokenId: token.id, scopes: token.scopes };
    return true;
  }
}
