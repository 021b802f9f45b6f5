import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { COMMANDS, type AutomationTask, type Page, TasksListCommand } from '@rocketlead/contracts';
import { TasksService } from './tasks.service';

@Controller()
export class TasksHandlers {
  constructor(private readonly tasks: TasksService) {}

  @MessagePattern(COMMANDS.tasksList)
  list(@Payload() command: TasksListCommand): Promise<Page<AutomationTask>> {
    return this.tasks.list(command);
  }
}
