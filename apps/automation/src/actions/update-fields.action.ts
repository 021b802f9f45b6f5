import { Injectable } from '@nestjs/common';
import { DomainError, type EntryData, type EntryValue } from '@rocketlead/contracts';
import { LeadsGateway } from '../gateways/leads.gateway';
import {
  StepFailure,
  contextRecord,
  requireEntry,
  type ActionHandler,
  type StepInput,
  type StepResult,
} from './action-handler';
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
    try {
      await this.leads.updateEntry({
        actor: input.actor,
        id: entryId,
        ...fields,
        schemaMode: 'infer',
        idempotencyKey: input.idempotencyKey,
        causationId: input.run.id,
        depth: input.run.depth + 1,
      });
    } catch (error) {
      // Keep leads' details (typeErrors, errors) with the step: they say which field conflicts and how.
      if (error instanceof DomainError && error.code === 'VALIDATION_FAILED' && error.details)
        throw new StepFailure(describeValidation(error), { code: error.code, ...error.details });
      throw error;
    }
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

function describeValidation(error: DomainError): string {
  const typeErrors = error.details?.typeErrors as
    { key: string; expected: string; received: string }[] | undefined;
  const errors = error.details?.errors as { field: string; message: string }[] | undefined;
  const parts = [
    ...(typeErrors ?? []).map((e) => `${e.key}: expected ${e.expected}, received ${e.received}`),
    ...(errors ?? []).map((e) => `${e.field} ${e.message}`),
  ];
  return parts.length ? `${error.message}: ${parts.join('; ')}` : error.message;
}
