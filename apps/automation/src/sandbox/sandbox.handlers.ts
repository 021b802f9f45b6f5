import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { COMMANDS, SandboxGetCommand, SandboxSetCommand, type SandboxSettings } from '@rocketlead/contracts';
import { SandboxService } from './sandbox.service';

@Controller()
export class SandboxHandlers {
  constructor(private readonly sandbox: SandboxService) {}

  @MessagePattern(COMMANDS.sandboxGet)
  get(@Payload() command: SandboxGetCommand): Promise<SandboxSettings> {
    return this.sandbox.get(command);
  }

  @MessagePattern(COMMANDS.sandboxSet)
  set(@Payload() command: SandboxSetCommand): Promise<SandboxSettings> {
    return this.sandbox.set(command);
  }
}
