import { Injectable } from '@nestjs/common';
import { Liquid, type Template } from 'liquidjs';
import { StepFailure } from './action-handler';

/** Longest text one template may render to. */
export const TEMPLATE_OUTPUT_MAX = 65_536;

const PARSED_MAX = 1_000;

/**
 * Liquid over the run context. Undefined variables render empty (strictVariables off), only own properties
 * are visible, and parse, render time and memory are bounded so that a template cannot stall the engine.
 */
@Injectable()
export class TemplateRenderer {
  private readonly liquid = new Liquid({
    strictVariables: false,
    strictFilters: true,
    ownPropertyOnly: true,
    parseLimit: 200_000,
    renderLimit: 1_000,
    memoryLimit: 10_000_000,
  });
  // Automations render the same few templates again and again: keep them parsed (bounded).
  private readonly parsed = new Map<string, Template[]>();

  render(template: string, context: object, field = 'template'): string {
    let output: string;
    try {
      output = this.liquid.renderSync(this.parse(template), context) as string;
    } catch (error) {
      throw new StepFailure(`${field}: template error: ${(error as Error).message}`);
    }
    if (output.length > TEMPLATE_OUTPUT_MAX)
      throw new StepFailure(`${field}: renders to more than ${TEMPLATE_OUTPUT_MAX} characters`);
    return output;
  }

  /** Renders every string in a JSON value (objects and arrays walked), leaving other values as they are. */
  renderValue(value: unknown, context: object, field = 'params'): unknown {
    if (typeof value === 'string') return this.render(value, context, field);
    if (Array.isArray(value))
      return value.map((item, i) => this.renderValue(item, context, `${field}[${i}]`));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value))
        out[key] = this.renderValue(item, context, `${field}.${key}`);
      return out;
    }
    return value;
  }

  private parse(template: string): Template[] {
    const hit = this.parsed.get(template);
    if (hit) return hit;
    const parsed = this.liquid.parse(template);
    if (this.parsed.size >= PARSED_MAX) this.parsed.clear();
    this.parsed.set(template, parsed);
    return parsed;
  }
}
