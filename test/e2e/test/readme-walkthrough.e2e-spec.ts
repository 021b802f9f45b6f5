import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@rocketlead/testing';
import { Api, E2E } from './support/platform';

const ROOT = path.resolve(__dirname, '../../..');
const START = '<!-- walkthrough:start -->';
const END = '<!-- walkthrough:end -->';

/** The README's API walkthrough: the one shell block between the walkthrough markers. */
function walkthroughScript(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md has no ${START} … ${END} section`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from, to));
  if (!block) throw new Error('the walkthrough section has no ```sh block');
  return block[1];
}

describe('README API walkthrough', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await E2E.start();
  }, 120_000);
  afterAll(async () => {
    await e2e.stop();
  }, 120_000);

  it('runs top to bottom against the running platform, exactly as written', async () => {
    // Run as a user would paste it, with errexit so any failed call stops it; then report what it captured.
    const script = `${walkthroughScript()}
printf 'CAPTURED %s %s %s %s %s %s %s %s %s %s %s %s %s %s %s\\n' "$TOKEN" "$POOL" "$WON" "$ENTRY" "$BOOKING" "$HOOK" "$(jq -r .token <<<"$CRM")" "$AUTO" "$LEAD" "$QUALIFIED" "$RUN" "$ENDPOINT" "$EVENT" "$PRODUCT" "$STRIPE"
`;
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: ROOT,
      env: { ...process.env, API: e2e.platform.baseUrl, DATABASE_URL: e2e.db.url },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });
    const captured = /^CAPTURED (.+)$/m.exec(stdout);
    expect(captured).not.toBeNull();
    const [
      token,
      pool,
      won,
      entry,
      booking,
      hook,
      crmToken,
      automation,
      lead,
      qualified,
      run,
      endpoint,
      crmEvent,
      product,
      stripe,
    ] = captured![1].split(' ');

    const admin = new Api(e2e.platform.baseUrl, token);
    const entries = await admin.get<{ items: Array<{ id: string; leadStateId: string; data: object }> }>(
      `/connect/table_entries?tableId=${pool}`,
    );
    // Two through the Connect API and the webhook, one from the public form, one from the RSVP (a fifth was deleted).
    expect(entries.body.items).toHaveLength(4);
    expect(entries.body.items.find((item) => item.id === entry)).toMatchObject({
      leadStateId: won,
      data: { email: 'jo@example.com', age: 42 },
    });
    expect(entries.body.items.map((item) => item.data)).toContainEqual({
      email: 'form.visitor@example.com',
      course: 'Intro',
    });
    expect(entries.body.items.map((item) => item.data)).toContainEqual({
      email: 'guest@example.com',
      name: 'Gus',
    });
    // What the walkthrough deleted is gone, and the revoked token no longer works.
    expect((await admin.get(`/connect/calendar_bookings/${booking}`)).status).toBe(404);
    expect((await admin.get(`/connect/ingress_webhooks/${hook}`)).status).toBe(404);
    expect((await admin.get(`/connect/webhook_endpoints/${endpoint}`)).status).toBe(404);
    expect((await admin.get(`/connect/events/${crmEvent}`)).status).toBe(404);
    expect((await admin.get(`/connect/products/${product}`)).status).toBe(404);
    expect((await admin.get(`/connect/integrations/${stripe}`)).status).toBe(404);
    expect((await new Api(e2e.platform.baseUrl, crmToken).get('/connect/custom_fields')).status).toBe(401);
    // The automation ran once for the ads lead: greeted it and qualified it; then it was paused and archived.
    expect((await admin.get(`/connect/table_entries/${lead}`)).body).toMatchObject({
      leadStateId: qualified,
      data: { name: 'Ada', source: 'ads', greeting: 'Hi Ada' },
    });
    const runs = await admin.get<{ items: Array<{ id: string; status: string }> }>(
      `/api/v1/automations/${automation}/runs`,
    );
    // The dry run is in the history too, as a sandbox run.
    expect(runs.body.items.filter((r) => r.id === run)).toEqual([
      expect.objectContaining({ status: 'completed' }),
    ]);
    expect((await admin.get(`/api/v1/automations/${automation}`)).body).toMatchObject({
      status: 'archived',
      version: 3,
    });
    // The four leads and the one deleted were announced on NATS, and so was the deletion.
    await eventually(
      () =>
        e2e.events.events.filter(
          (event) => event.body.type === 'table.entry.added' && event.body.data.tableId === pool,
        ).length === 5 &&
        e2e.events.events.filter(
          (event) => event.body.type === 'table.entry.deleted' && event.body.data.tableId === pool,
        ).length === 1,
      { timeoutMs: 10_000, message: 'the five walkthrough leads and one deletion published' },
    );
  });
});
