import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BirthdaySweepCommand, COMMANDS, type BirthdaySweepResult } from '@rocketlead/contracts';
import { BirthdaySweepService } from './birthday-sweep.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class BirthdaysHandlers {
  constructor(private readonly sweeps: BirthdaySweepService) {}

  @MessagePattern(COMMANDS.birthdaySweep)
  sweep(@Payload() command: BirthdaySweepCommand): Promise<BirthdaySweepResult> {
    return this.sweeps.sweepCommand(command);
  }
}
