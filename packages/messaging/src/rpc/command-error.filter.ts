import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Hands every error of a command handler (or of its pipes) to the transport unchanged: the transport turns a
 * DomainError into its typed reply and logs anything else as a bug. Nest's default RPC filter would replace
 * a DomainError with a generic "Internal server error".
 */
@Catch()
export class CommandErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
