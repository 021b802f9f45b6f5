import { SetMetadata } from '@nestjs/common';
import type { CommandMap } from '@rocketlead/contracts';

export const COMMAND_HANDLER = 'rocketlead:command-handler';

/** Marks a provider method as the handler of a request/reply command; the RPC server subscribes it. */
export const CommandHandler = (command: keyof CommandMap): MethodDecorator =>
  SetMetadata(COMMAND_HANDLER, command);
