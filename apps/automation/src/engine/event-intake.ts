import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { CONSUMERS, TRIGGER_STREAMS } from '@rocketlead/contracts';
import { AUTOMATION_CONFIG } from '../config.token';
import type { AutomationConfig } from '../config';
import { AutomationConsumers } from './automation-consumers';
import { RunStarter, orderingKey } from './run-starter';

/**
 * One durable consumer per stream whose events may trigger automations (a stream added to the contracts with
 * `triggers: true` is consumed without a change here). Each event's runs are recorded with its inbox row and
 * executed after that commit; events of one lead are handled one at a time, in stream order.
 */
@Injectable()
export class EventIntake implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: AutomationConsumers,
    @Inject(AUTOMATION_CONFIG) private readonly config: AutomationConfig,
    private readonly starter: RunStarter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const stream of TRIGGER_STREAMS)
      await this.consumers.start({
        stream,
        durable: CONSUMERS.automationEvents(stream),
        relevant: (event) => this.starter.relevant(event),
        handler: (event, manager) => this.starter.start(event, manager),
        afterCommit: (event) => this.starter.execute(event),
        orderingKey,
        concurrency: this.config.AUTOMATION_CONCURRENCY,
      });
  }
}
