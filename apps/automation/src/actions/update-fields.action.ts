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

// A JSON number, and the two JSON booleans, as a template may render them.
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const BOOLEAN = new Set(['true', 'false']);
const LIQUID_MARKUP = /\{\{|\{%/;

interface RenderedFields {
  data?: EntryData;
  customFieldData?: Record<string, EntryValue>;
}

/**
 * `update_fields {data?, customFieldData?}`: string values are Liquid templates over the run context (a
 * rendered number or boolean takes the type the pool's schema has for its key); new data keys are added to the
 * pool's schema (infer mode). A type conflict fails the step with leads' `typeErrors`.
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
    const fields = await this.render(input);
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
    return this.render(input);
  }

  private async render(input: StepInput): Promise<RenderedFields> {
    const context = contextRecord(input);
    const { data, customFieldData } = input.step.params;
    const out: RenderedFields = {};
    if (data !== undefined)
      out.data = await this.typed(
        input,
        data as Record<string, unknown>,
        this.templates.renderValue(data, context, 'data') as EntryData,
      );
    if (customFieldData !== undefined)
      out.customFieldData = this.templates.renderValue(customFieldData, context, 'customFieldData') as Record<
        string,
        EntryValue
      >;
    return out;
  }

  /**
   * A template renders text. Where the pool's schema wants a number or a boolean and a template rendered
   * exactly one (`{{ entry.data.score | plus: 5 }}` → "15"), the value is stored as that type, not refused as
   * a type conflict. The schema is read only when such a value exists; a key's type never changes once set.
   */
  private async typed(
    input: StepInput,
    params: Record<string, unknown>,
    rendered: EntryData,
  ): Promise<EntryData> {
    const candidates = Object.keys(rendered).filter((key) => {
      const template = params[key];
      const value = rendered[key];
      return (
        typeof template === 'string' &&
        LIQUID_MARKUP.test(template) &&
        typeof value === 'string' &&
        (NUMBER.test(value.trim()) || BOOLEAN.has(value.trim()))
      );
    });
    const tableId = input.run.snapshot.entry?.tableId;
    if (candidates.length === 0 || !tableId) return rendered;
    const pool = await this.leads.pool(input.run.organizationId, tableId, input.actor.traceparent);
    const typedData: EntryData = { ...rendered };
    for (const key of candidates) {
      const text = (rendered[key] as string).trim();
      const type = pool?.tableSchema[key];
      if (type === 'number' && NUMBER.test(text)) typedData[key] = Number(text);
      else if (type === 'boolean' && BOOLEAN.has(text)) typedData[key] = text === 'true';
    }
    return typedData;
  }
}
