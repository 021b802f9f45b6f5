import { BaseRpcContext } from '@nestjs/microservices';
import type { MsgHdrs } from 'nats';

type CommandContextArgs = [subject: string, headers: MsgHdrs | undefined, command: string];

/** What `@Ctx()` gives a command handler: the namespaced subject, the NATS headers and the command name. */
export class CommandContext extends BaseRpcContext<CommandContextArgs> {
  getSubject(): string {
    return this.args[0];
  }

  getHeaders(): MsgHdrs | undefined {
    return this.args[1];
  }

  getCommand(): string {
    return this.args[2];
  }

  /** The caller's W3C trace context (the handler already runs in a span continuing it). */
  getTraceparent(): string | null {
    return this.args[1]?.get('traceparent') || null;
  }
}
