import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, startService, stopService } from '@rocketlead/testing';
import { Api, E2E, type PoolSetup } from './support/platform';

interface Step {
  index: number;
  type: string;
  status: string;
  attempts: number;
  output: Record<string, unknown> | null;
  error: string | null;
  resumeAt: string | null;
}
interface Run {
  id: string;
  status: string;
  reason: string | null;
  steps: Step[];
}
interface Task {
  id: string;
  runId: string;
  automationId: string;
  entryId: string;
  title: string;
  status: string;
  output: Record<string, unknown> | null;
}

describe('runs over time and with people (all services as processes)', () => {
  let e2e: E2E;
  let admin: Api;
  let writer: Api;

  /** An active automation on the pool's new leads, through the API. */
  const automation = async (pool: PoolSetup, name: string, actions: unknown[]): Promise<string> => {
    const res = await admin.post<{ id: string }>('/api/v1/automations', {
      name,
      status: 'active',
      trigger: { event: 'table.entry.added', triggerId: pool.poolId },
      actions,
    });
    if (res.status !== 201) throw new Error(`automation: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  };
  const lead = async (pool: PoolSetup, data: Record<string, unknown>): Promise<string> => {
    const res = await writer.post<{ id: string }>('/connect/table_entries', { tableId: pool.poolId, data });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const runOf = (automationId: string, entryId: string): Promise<string> =>
    eventually(
      async () => {
        const res = await admin.get<{ items: { id: string }[] }>(
          `/api/v1/automations/${automationId}/runs?entryId=${entryId}`,
        );
        return res.body.items[0]?.id;
      },
      { timeoutMs: 20_000, message: 'the run started' },
    );
  const runIn = (automationId: string, runId: string, status: string, timeoutMs = 30_000): Promise<Run> =>
    eventually(
      async () => {
        const res = await admin.get<Run>(`/api/v1/automations/${automationId}/runs/${runId}`);
        return res.body.status === status ? res.body : undefined;
      },
      { timeoutMs, message: `run ${status}` },
    );
  const leadData = async (entryId: string): Promise<Record<string, unknown>> =>
    (await admin.get<{ data: Record<string, unknown> }>(`/connect/table_entries/${entryId}`)).body.data;

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin } = await e2e.organization('Waits Co'));
    ({ api: writer } = await e2e.token(admin, ['write']));
  }, 180_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 60_000);

  it('a wait of a few seconds resumes on time, also after automation was SIGKILLed and restarted while waiting', async () => {
    const pool = await e2e.pool(admin, { email: 'string', followedUp: 'string' });
    const id = await automation(pool, 'Follow up', [
      { type: 'wait', params: { duration: 'PT4S' } },
      { type: 'update_fields', params: { data: { followedUp: 'yes' } } },
    ]);
    const entryId = await lead(pool, { email: 'wait@example.test' });
    const runId = await runOf(id, entryId);
    const waiting = await runIn(id, runId, 'waiting');
    expect(waiting.steps.map((s) => s.status)).toEqual(['waiting', 'pending']);
    const resumeAt = Date.parse(waiting.steps[0]!.resumeAt!);

    await stopService(e2e.platform.automation, 'SIGKILL');
    e2e.platform.automation = await startService(e2e.platform.options, 'automation');

    const done = await runIn(id, runId, 'completed');
    const output = done.steps[0]!.output as { resumedAt: string };
    expect(Date.parse(output.resumedAt)).toBeGreaterThanOrEqual(resumeAt);
    expect(done.steps.map((s) => [s.status, s.attempts])).toEqual([
      ['completed', 1],
      ['completed', 1],
    ]);
    expect(await leadData(entryId)).toMatchObject({ followedUp: 'yes' });
  }, 90_000);

  it('a task is listed, checked (400 naming output.approved), completed once (409 after), and a branch uses its answer', async () => {
    const pool = await e2e.pool(admin, { email: 'string', decision: 'string' });
    const id = await automation(pool, 'Manager approval', [
      {
        type: 'create_task',
        params: { title: 'Approve {{ entry.data.email }}', output: { approved: 'boolean', notes: 'string' } },
      },
      {
        type: 'branch',
        params: {
          match: { '==': [{ var: 'steps.0.output.approved' }, true] },
          then: [
            {
              type: 'update_fields',
              params: { data: { decision: 'referred ({{ steps[0].output.notes }})' } },
            },
          ],
          else: [{ type: 'update_fields', params: { data: { decision: 'declined' } } }],
        },
      },
    ]);
    const entryId = await lead(pool, { email: 'task@example.test' });
    const runId = await runOf(id, entryId);
    await runIn(id, runId, 'waiting');

    const tasks = await admin.get<{ items: Task[] }>(`/api/v1/tasks?status=open&automationId=${id}`);
    expect(tasks.status).toBe(200);
    expect(tasks.body.items).toEqual([
      expect.objectContaining({
        runId,
        automationId: id,
        entryId,
        title: 'Approve task@example.test',
        status: 'open',
      }),
    ]);

    const path = `/api/v1/automations/${id}/runs/${runId}/complete-task`;
    const invalid = await writer.post<{ errors: { field: string }[] }>(path, {
      output: { approved: 'yes', notes: 'fine' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual([expect.objectContaining({ field: 'output.approved' })]);

    const { admin: stranger } = await e2e.organization('Other Co');
    expect((await stranger.post(path, { output: { approved: true, notes: 'x' } })).status).toBe(404);

    const completed = await writer.post<Run>(path, { output: { approved: true, notes: 'good fit' } });
    expect(completed.status).toBe(200);
    expect(completed.body.id).toBe(runId);
    expect((await writer.post(path, { output: { approved: false, notes: 'again' } })).status).toBe(409);

    const done = await runIn(id, runId, 'completed');
    expect(done.steps[0]).toMatchObject({
      status: 'completed',
      output: { approved: true, notes: 'good fit' },
    });
    expect(await leadData(entryId)).toMatchObject({ decision: 'referred (good fit)' });
    const closed = await admin.get<{ items: Task[] }>(`/api/v1/tasks?status=completed&automationId=${id}`);
    expect(closed.body.items.map((t) => [t.runId, t.output])).toEqual([
      [runId, { approved: true, notes: 'good fit' }],
    ]);
  }, 60_000);

  it('cancel stops a waiting run (200, then 409); a run that is not failed cannot be retried (409)', async () => {
    const pool = await e2e.pool(admin, { email: 'string', never: 'string' });
    const id = await automation(pool, 'Long wait', [
      { type: 'wait', params: { duration: 'P1D' } },
      { type: 'update_fields', params: { data: { never: 'set' } } },
    ]);
    const entryId = await lead(pool, { email: 'cancel@example.test' });
    const runId = await runOf(id, entryId);
    await runIn(id, runId, 'waiting');

    const retry = await writer.post(`/api/v1/automations/${id}/runs/${runId}/retry`);
    expect(retry.status).toBe(409);
    const cancelled = await writer.post<Run>(`/api/v1/automations/${id}/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.steps.map((s) => s.status)).toEqual(['skipped', 'skipped']);
    expect((await writer.post(`/api/v1/automations/${id}/runs/${runId}/cancel`)).status).toBe(409);
    expect(await leadData(entryId)).not.toHaveProperty('never');
  }, 60_000);
});
