import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ActivityItem, ActivityKind, RunStatus, StepStatus, TaskStatus } from '@rocketlead/contracts';
import { AUTOMATION_SCHEMA as S } from '../database/entities';
import type { ActivityPosition } from './activity-cursor';
import type { ActivityTypeFilter } from './activity-filter';
import { runSummary, stepSummary, taskSummary } from './activity-summaries';

/** An event about a lead, as the projection stores it. */
export interface ActivityEventRow {
  id: string;
  organizationId: string;
  entryId: string;
  at: string;
  type: string;
  kind: ActivityKind;
  channel: string;
  apiTokenId: string | null;
  memberId: string | null;
  summary: string;
  data: unknown;
}

/** A timeline item and where a page ending with it continues. */
export interface PositionedItem {
  item: ActivityItem;
  position: ActivityPosition;
}

interface TimelineRow {
  id: string;
  at: Date;
  position_at: string;
  kind: ActivityKind;
  type: string;
  summary: string | null;
  channel: string | null;
  api_token_id: string | null;
  member_id: string | null;
  automation_id: string | null;
  run_id: string | null;
  data: unknown;
}

/** A timestamp in `data`, the way every API answer writes times. */
const iso = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

// Parameters of the timeline query: $1 organization, $2 entry, $3 exact types, $4 type prefixes (both null
// when not filtered), $5/$6 the cursor's time and id (null on the first page), $7 rows per branch.
const typeMatches = (type: string): string =>
  `($3::text[] IS NULL OR ${type} = ANY($3::text[]) OR EXISTS (SELECT 1 FROM unnest($4::text[]) p WHERE starts_with(${type}, p)))`;
// Ids compare bytewise (COLLATE "C") so that the order does not depend on the database's locale.
const after = (at: string, id: string): string =>
  `($5::timestamptz IS NULL OR ${at} < $5::timestamptz OR (${at} = $5::timestamptz AND (${id}) COLLATE "C" < $6::text))`;
const newestFirst = (at: string, id: string): string =>
  `ORDER BY ${at} DESC, (${id}) COLLATE "C" DESC LIMIT $7`;

const runContext = `r.context->>'channel', r.context->>'apiTokenId', r.context->>'memberId'`;

/**
 * One page of a lead's timeline: the stored events, and the runs, started steps and tasks read live from
 * their tables. Each branch is cut to the page size in its own order before the merge, so the query reads
 * no more than a page of each. Dry runs are evaluations, not history, and are left out.
 */
const TIMELINE = `
WITH items AS (
  (SELECT e.id::text AS id, e.at, e.kind, e.type, e.summary, e.channel, e.api_token_id::text AS api_token_id,
          e.member_id, NULL::text AS automation_id, NULL::text AS run_id, e.data
   FROM "${S}".activity_events e
   WHERE e.organization_id = $1 AND e.entry_id = $2 AND ${typeMatches('e.type')} AND ${after('e.at', 'e.id::text')}
   ${newestFirst('e.at', 'e.id::text')})
  UNION ALL
  (SELECT r.id::text, r.started_at, 'run', 'automation.run.' || r.status, NULL, ${runContext},
          r.automation_id::text, r.id::text,
          jsonb_build_object('status', r.status, 'reason', r.reason, 'error', r.error, 'sandbox', r.sandbox,
            'automationName', a.name, 'automationVersion', r.automation_version, 'triggerName', r.trigger_name,
            'eventId', r.context->>'eventId', 'eventType', r.context->>'eventType',
            'finishedAt', ${iso('r.finished_at')})
   FROM "${S}".runs r LEFT JOIN "${S}".automations a ON a.id = r.automation_id
   WHERE r.organization_id = $1 AND r.entry_id = $2 AND NOT r.dry_run
     AND ${typeMatches(`'automation.run.' || r.status`)} AND ${after('r.started_at', 'r.id::text')}
   ${newestFirst('r.started_at', 'r.id::text')})
  UNION ALL
  (SELECT r.id::text || ':' || s.index, s.started_at, 'step', s.type, NULL, ${runContext},
          r.automation_id::text, r.id::text,
          jsonb_build_object('index', s.index, 'actionId', s.action_id, 'status', s.status, 'attempts', s.attempts,
            'output', s.output, 'error', s.error, 'finishedAt', ${iso('s.finished_at')},
            'resumeAt', ${iso('s.resume_at')})
   FROM "${S}".runs r JOIN "${S}".run_steps s ON s.run_id = r.id
   WHERE r.organization_id = $1 AND r.entry_id = $2 AND NOT r.dry_run AND s.started_at IS NOT NULL
     AND ${typeMatches('s.type')} AND ${after('s.started_at', `r.id::text || ':' || s.index`)}
   ${newestFirst('s.started_at', `r.id::text || ':' || s.index`)})
  UNION ALL
  (SELECT t.id::text, t.created_at, 'task', 'automation.task.' || t.status, NULL, ${runContext},
          t.automation_id::text, t.run_id::text,
          jsonb_build_object('title', t.title, 'description', t.description, 'status', t.status,
            'assigneeId', t.assignee_id, 'fields', t.fields, 'stepIndex', t.step_index, 'dueAt', ${iso('t.due_at')},
            'completedAt', ${iso('t.completed_at')}, 'output', t.output)
   FROM "${S}".tasks t JOIN "${S}".runs r ON r.id = t.run_id
   WHERE t.organization_id = $1 AND t.entry_id = $2
     AND ${typeMatches(`'automation.task.' || t.status`)} AND ${after('t.created_at', 't.id::text')}
   ${newestFirst('t.created_at', 't.id::text')})
)
SELECT items.*, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_at
FROM items
${newestFirst('at', 'id')}`;

type Data = Record<string, unknown>;

/** The summary of a run, step or task, from the fields the query put in its data. */
function liveSummary(row: TimelineRow): string {
  const data = row.data as Data;
  if (row.kind === 'run')
    return runSummary(
      data.automationName as string | null,
      data.status as RunStatus,
      data.reason as string | null,
    );
  if (row.kind === 'step') return stepSummary(data.index as number, row.type, data.status as StepStatus);
  return taskSummary(data.title as string, data.status as TaskStatus);
}

function toItem(row: TimelineRow): ActivityItem {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    kind: row.kind,
    type: row.type,
    summary: row.summary ?? liveSummary(row),
    channel: row.channel,
    apiTokenId: row.api_token_id,
    memberId: row.member_id,
    ...(row.automation_id ? { automationId: row.automation_id } : {}),
    ...(row.run_id ? { runId: row.run_id } : {}),
    data: row.data,
  };
}

/** The lead timeline's storage: the event projection's writes and the timeline query. */
@Injectable()
export class ActivityRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One statement for the whole batch; an event already stored (a redelivery) is skipped. */
  async insertEvents(rows: readonly ActivityEventRow[]): Promise<void> {
    if (rows.length === 0) return;
    const column = <T>(pick: (row: ActivityEventRow) => T): T[] => rows.map(pick);
    await this.dataSource.query(
      `INSERT INTO "${S}".activity_events
         (id, organization_id, entry_id, at, type, kind, channel, api_token_id, member_id, summary, data)
       SELECT id, organization_id, entry_id, at, type, kind, channel, api_token_id, member_id, summary, data::jsonb
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
                   $8::uuid[], $9::text[], $10::text[], $11::text[])
         AS t(id, organization_id, entry_id, at, type, kind, channel, api_token_id, member_id, summary, data)
       ON CONFLICT (id) DO NOTHING`,
      [
        column((r) => r.id),
        column((r) => r.organizationId),
        column((r) => r.entryId),
        column((r) => r.at),
        column((r) => r.type),
        column((r) => r.kind),
        column((r) => r.channel),
        column((r) => r.apiTokenId),
        column((r) => r.memberId),
        column((r) => r.summary),
        column((r) => JSON.stringify(r.data ?? null)),
      ],
    );
  }

  /** Up to `limit` items of the lead's timeline after `after`, newest first. */
  async page(
    organizationId: string,
    entryId: string,
    filter: ActivityTypeFilter | null,
    limit: number,
    after: ActivityPosition | undefined,
  ): Promise<PositionedItem[]> {
    const rows = (await this.dataSource.query(TIMELINE, [
      organizationId,
      entryId,
      filter?.exact ?? null,
      filter?.prefixes ?? null,
      after?.at ?? null,
      after?.id ?? null,
      limit,
    ])) as TimelineRow[];
    return rows.map((row) => ({ item: toItem(row), position: { at: row.position_at, id: row.id } }));
  }
}
