import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ActivityListCommand, COMMANDS, type ActivityItem, type Page } from '@rocketlead/contracts';
import { ActivityService } from './activity.service';

@Controller()
export class ActivityHandlers {
  constructor(private readonly activity: ActivityService) {}

  @MessagePattern(COMMANDS.activityList)
  list(@Payload() command: ActivityListCommand): Promise<Page<ActivityItem>> {
    return this.activity.list(command);
  }
}
