import { Injectable } from '@nestjs/common';
import type { EntryData, EntryValue } from '@rocketlead/contracts';
import { LeadsGateway } from '../gateways/leads.gateway';
import {
  contextRecord,
  requireEntry,
  type ActionHandler,
  type StepInput,
  type StepResult,
} from './action-handler';
import { failOnRefusal } from './entry-change';
import { TemplateRenderer } from './templates';

interface RenderedFields {
  data?: EntryData;
  customFieldData?: Record<string, EntryValue>;
}

/**
 * `update_fields {data?, customFieldData?}`: string values are Liquid templates over the run context; new
 * data keys are added to the pool's schema (infer mode). A type conflict fails the step with leads'
 * `typeErrors`.
 */
@Injectable()
export class UpdateFieldsAction implements ActionHandler {
  readonly type = 'update_fields' as const;

  constructor(
    private readonly leads: LeadsGateway,
    private readonly templates: TemplateRenderer,
  ) {}

  async execute(input: StepInput): Promise<StepResult> {
    const entryId = requireEntry(input);
    const fields = this.render(input);
    await failOnRefusal(
      this.leads.updateEntry({
        actor: input.actor,
        id: entryId,
        ...fields,
        schemaMode: 'infer',
        idempotencyKey: input.idempotencyKey,
        causationId: input.run.id,
        depth: input.run.depth + 1,
      }),
    );
    return { output: { entryId, ...fields } };
  }

  describe(input: StepInput): Promise<unknown> {
    requireEntry(input);
    return Promise.resolve(this.render(input));
  }

  private render(input: StepInput): RenderedFields {
    const context = contextRecord(input);
    const { data, customFieldData } = input.step.params;
    const out: RenderedFields = {};
    if (data !== undefined) out.data = this.templates.renderValue(data, context, 'data') as EntryData;
    if (customFieldData !== undefined)
      out.customFieldData = this.templates.renderValue(customFieldData, context, 'customFieldData') as Record<
        string,
        EntryValue
      >;
    return out;
  }
}
