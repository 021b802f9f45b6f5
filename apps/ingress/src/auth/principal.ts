import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Scope } from '../api-tokens/api-token.entity';

/** The authenticated Connect API caller. */
export interface Principal {
  organizationId: string;
  tokenId: string;
  scopes: Scope[];
}

export interface AuthenticatedRequest {
  principal?: Principal;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without ConnectAuthGuard');
  return principal;
});
