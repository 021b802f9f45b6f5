import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  PipelinesByStageCommand,
  PipelinesCreateCommand,
  PipelinesDeleteCommand,
  PipelinesGetCommand,
  PipelinesListCommand,
  PipelinesUpdateCommand,
  type Page,
  type Pipeline,
} from '@rocketlead/contracts';
import { PipelinesService } from './pipelines.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class PipelinesHandlers {
  constructor(private readonly pipelines: PipelinesService) {}

  @MessagePattern(COMMANDS.pipelinesCreate)
  create(@Payload() command: PipelinesCreateCommand): Promise<Pipeline> {
    return this.pipelines.create(command);
  }

  @MessagePattern(COMMANDS.pipelinesList)
  list(@Payload() command: PipelinesListCommand): Promise<Page<Pipeline>> {
    return this.pipelines.list(command);
  }

  @MessagePattern(COMMANDS.pipelinesGet)
  get(@Payload() command: PipelinesGetCommand): Promise<Pipeline> {
    return this.pipelines.get(command);
  }

  @MessagePattern(COMMANDS.pipelinesUpdate)
  update(@Payload() command: PipelinesUpdateCommand): Promise<Pipeline> {
    return this.pipelines.update(command);
  }

  @MessagePattern(COMMANDS.pipelinesDelete)
  delete(@Payload() command: PipelinesDeleteCommand): Promise<Pipeline> {
    return this.pipelines.delete(command);
  }

  @MessagePattern(COMMANDS.pipelinesByStage)
  byStage(@Payload() command: PipelinesByStageCommand): Promise<Pipeline> {
    return this.pipelines.byStage(command);
  }
}
