import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { COMMANDS, DomainError, type CommandName, type FormSubmitResult } from '@rocketlead/contracts';
import type { RpcClient } from '@rocketlead/messaging';
import { JsonLogger } from '@rocketlead/observability';
import { failure } from '@rocketlead/testing';
import { escapeHtml } from '@rocketlead/contracts';
import { prefersHtml } from '../src/http/html-page';
import { confirmationPage } from '../src/public-forms/form-pages';
import { PublicFormsService } from '../src/public-forms/public-forms.service';

const FORM_ID = '0190f1e2-0000-7000-8000-000000000001';
const REQUEST = {
  correlationId: 'req-1',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};

/** An RpcClient that answers every command with `answer` and remembers what it was sent. */
function fakeRpc(answer: (command: CommandName) => unknown): { rpc: RpcClient; sent: [string, unknown][] } {
  const sent: [string, unknown][] = [];
  const fake = {
    request: (command: CommandName, payload: unknown): Promise<unknown> => {
      sent.push([command, payload]);
      try {
        return Promise.resolve(answer(command));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
  };
  return { rpc: fake as unknown as RpcClient, sent };
}

const service = (rpc: RpcClient): PublicFormsService =>
  new PublicFormsService(rpc, new JsonLogger('ingress-test', 'error'));

describe('PublicFormsService.submit', () => {
  it('maps an applied submission to 201 and a staged one to 202, forwarding the values as sent', async () => {
    const results: FormSubmitResult[] = [
      { status: 'accepted', entryId: '0190f1e2-0000-7000-8000-00000000000e' },
      { status: 'pending_verification' },
    ];
    const statuses: number[] = [];
    for (const result of results) {
      const { rpc, sent } = fakeRpc(() => result);
      const answer = await service(rpc).submit(FORM_ID, { email: 'a@example.com', n: 1 }, undefined, REQUEST);
      expect(answer.body).toEqual(result);
      statuses.push(answer.statusCode);
      expect(sent).toEqual([
        [
          COMMANDS.formsSubmit,
          {
            formId: FORM_ID,
            values: { email: 'a@example.com', n: 1 },
            request: { correlationId: 'req-1', traceparent: REQUEST.traceparent },
          },
        ],
      ]);
    }
    expect(statuses).toEqual([201, 202]);
  });

  it('refuses a body that is no object without asking leads', async () => {
    const { rpc, sent } = fakeRpc(() => ({ status: 'pending_verification' }));
    for (const body of [undefined, null, [], 'x', 3]) {
      const error = await failure(service(rpc).submit(FORM_ID, body, '*/*', REQUEST));
      expect(error.details?.errors).toEqual([{ field: '(body)', message: expect.any(String) }]);
    }
    expect(sent).toEqual([]);
  });
  it('answers a browser posting without script with a page, the same status, and the fields to correct', async () => {
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const staged = fakeRpc(() => ({ status: 'pending_verification' })).rpc;
    const page = await service(staged).submit(FORM_ID, { email: 'a@example.com' }, browser, REQUEST);
    expect(page).toMatchObject({ statusCode: 202, headers: { 'content-type': 'text/html; charset=utf-8' } });
    expect(page.body).toContain('emailed you');
    const invalid = fakeRpc(() => {
      throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
        errors: [{ field: 'email', message: 'must be an email address <b>' }],
      });
    }).rpc;
    const refused = await service(invalid).submit(FORM_ID, { email: 'x' }, browser, REQUEST);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('email (must be an email address &lt;b&gt;)');
    // Programs keep the JSON error.
    expect(
      (await failure(service(invalid).submit(FORM_ID, { email: 'x' }, 'application/json', REQUEST))).code,
    ).toBe('VALIDATION_FAILED');
  });
});

describe('PublicFormsService.verify', () => {
  it('turns 4xx refusals into a page for browsers and lets 5xx and programs get the error', async () => {
    const gone = fakeRpc(() => {
      throw new DomainError('GONE', 'used');
    }).rpc;
    const page = await service(gone).verify('t', 'text/html', REQUEST);
    expect(page).toMatchObject({ statusCode: 410, headers: { 'content-type': 'text/html; charset=utf-8' } });
    expect((await failure(service(gone).verify('t', 'application/json', REQUEST))).code).toBe('GONE');

    const down = fakeRpc(() => {
      throw new DomainError('UNAVAILABLE', 'leads is down');
    }).rpc;
    expect((await failure(service(down).verify('t', 'text/html', REQUEST))).code).toBe('UNAVAILABLE');
  });
});

describe('form pages', () => {
  it('escapes HTML', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(confirmationPage('<script>')).toContain('your submission to &lt;script&gt; is confirmed.');
  });

  it('prefers HTML only when the client ranks it above JSON', () => {
    const html = [
      'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'text/html',
      'text/*',
      'text/html, */*',
      'application/json;q=0.1, text/html',
    ];
    const json = [
      undefined,
      '',
      '*/*',
      'application/json',
      'application/json, text/html',
      'text/html;q=0.5, application/json',
      'text/html;q=0, */*',
      'garbage',
    ];
    expect(html.filter((accept) => !prefersHtml(accept))).toEqual([]);
    expect(json.filter((accept) => prefersHtml(accept))).toEqual([]);
  });
});
