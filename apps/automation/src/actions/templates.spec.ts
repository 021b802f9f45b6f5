import { describe, expect, it } from '@jest/globals';
import { StepFailure } from './action-handler';
import { TEMPLATE_OUTPUT_MAX, TemplateRenderer } from './templates';

const context = {
  entry: { data: { firstName: 'Ada', email: 'ada@example.com', tags: ['x', 'y'] } },
  event: { channel: 'form' },
};

describe('Liquid templates over the run context', () => {
  const templates = new TemplateRenderer();

  it('renders variables and filters; undefined variables render empty', () => {
    expect(templates.render('Hi {{ entry.data.firstName | upcase }} via {{ event.channel }}', context)).toBe(
      'Hi ADA via form',
    );
    expect(templates.render('[{{ entry.data.nope }}]', context)).toBe('[]');
    expect(templates.render('{{ entry.data.tags | join: "," }}', context)).toBe('x,y');
  });

  it('renders every string of a JSON value and keeps other values', () => {
    expect(
      templates.renderValue(
        { a: '{{ entry.data.email }}', n: 3, list: ['{{ event.channel }}', true] },
        context,
      ),
    ).toEqual({ a: 'ada@example.com', n: 3, list: ['form', true] });
  });

  it('fails permanently on a template error or an output over the bound, naming the field', () => {
    expect(() => templates.render('{% if %}', context, 'subject')).toThrow(StepFailure);
    expect(() => templates.render('{{ 1 | nosuchfilter }}', context, 'subject')).toThrow(
      /subject: template error/,
    );
    const big = `{% for i in (1..${TEMPLATE_OUTPUT_MAX / 8 + 1}) %}12345678{% endfor %}`;
    expect(() => templates.render(big, context, 'body')).toThrow(
      /body: renders to more than 65536 characters/,
    );
  });

  it('does not reach inherited properties', () => {
    expect(templates.render('{{ entry.data.constructor }}', context)).toBe('');
  });
});
