import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { withContext, type ApiResponse } from '@rocketlead/testing';
import { Api, E2E, created } from './support/platform';

// Contacts over HTTP against the running platform: members, member groups, tags, entry tags, assignment,
// duplicate detection and lead-state milestones; status codes and error bodies of every route.

interface Member {
  id: string;
  name: string;
  email: string;
  active: boolean;
  groupIds: string[];
  createdAt: string;
}
interface MemberGroup {
  id: string;
  name: string;
  memberIds: string[];
  createdAt: string;
}
interface Tag {
  id: string;
  name: string;
  color: string | null;
}
interface Entry {
  id: string;
  tableId: string;
  data: Record<string, unknown>;
  assignedMemberId: string | null;
  duplicateOfId: string | null;
  tags: { id: string; name: string }[];
}
interface LeadState {
  id: string;
  tableId: string;
  name: string;
  isDefault: boolean;
  milestone: string | null;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: { field: string; message: string }[];
}

const MISSING = '00000000-0000-4000-8000-000000000000';

/** The fields a 400 names. */
const fieldsOf = (res: ApiResponse<unknown>): string[] =>
  ((res.body as ErrorBody).errors ?? []).map((e) => e.field).sort();

function expectValidation(res: ApiResponse<unknown>, field: string): void {
  withContext(JSON.stringify(res.body), () => {
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'Validation failed' });
    expect(fieldsOf(res)).toContain(field);
  });
}

/** Every item of a paged list, following `nextCursor` with `limit`; the pages' sizes too. */
async function allPages<T>(
  api: Api,
  pathname: string,
  limit: number,
): Promise<{ items: T[]; sizes: number[] }> {
  const items: T[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  const join = pathname.includes('?') ? '&' : '?';
  do {
    const res: ApiResponse<Page<T>> = await api.get<Page<T>>(
      `${pathname}${join}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (res.status !== 200) throw new Error(`${pathname}: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...res.body.items);
    sizes.push(res.body.items.length);
    cursor = res.body.nextCursor;
  } while (cursor !== null && sizes.length < 50);
  return { items, sizes };
}

describe('Contacts (members, groups, tags, assignment, duplicates, milestones) over HTTP', () => {
  let e2e: E2E;
  let admin: Api;
  let other: Api;
  let reader: Api;
  let writer: Api;
  let seq = 0;
  const email = (): string => `member${++seq}@example.com`;

  const member = (api: Api = admin, body: Record<string, unknown> = {}): Promise<Member> =>
    created(
      api.post<Member>('/connect/members', { name: `Member ${++seq}`, email: email(), ...body }),
      'member',
    );
  const tag = (api: Api = admin, name = `Tag ${++seq}`): Promise<Tag> =>
    created(api.post<Tag>('/connect/tags', { name }), 'tag');
  const entry = async (poolId: string, data: Record<string, unknown> = {}): Promise<Entry> =>
    created(admin.post<Entry>('/connect/table_entries', { tableId: poolId, data }), 'entry');

  beforeAll(async () => {
    e2e = await E2E.start();
    ({ admin } = await e2e.organization('Acme'));
    ({ admin: other } = await e2e.organization('Other'));
    ({ api: reader } = await e2e.token(admin, ['read']));
    ({ api: writer } = await e2e.token(admin, ['write']));
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 120_000);

  describe('members', () => {
    it('creates a member (201) and reads, renames and deactivates it (DELETE → 204, kept inactive)', async () => {
      const res = await admin.post<Member>('/connect/members', { name: 'Ada', email: 'ada@example.com' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual([
        'active',
        'createdAt',
        'email',
        'groupIds',
        'id',
        'name',
      ]);
      expect(res.body).toMatchObject({ name: 'Ada', email: 'ada@example.com', active: true, groupIds: [] });
      const id = res.body.id;

      expect(await reader.get(`/connect/members/${id}`)).toMatchObject({ status: 200, body: res.body });
      const renamed = await admin.patch<Member>(`/connect/members/${id}`, { name: 'Ada L.' });
      expect(renamed).toMatchObject({ status: 200, body: { id, name: 'Ada L.', email: 'ada@example.com' } });

      const removed = await admin.delete(`/connect/members/${id}`);
      expect(removed.status).toBe(204);
      expect(await admin.get(`/connect/members/${id}`)).toMatchObject({
        status: 200,
        body: { id, active: false },
      });
      const reactivated = await admin.patch<Member>(`/connect/members/${id}`, { active: true });
      expect(reactivated).toMatchObject({ status: 200, body: { id, active: true } });
    });

    it('refuses an email already used in the organization, in any case (409); another organization may use it', async () => {
      await member(admin, { email: 'grace@example.com' });
      const again = await admin.post('/connect/members', { name: 'Grace 2', email: 'GRACE@example.com' });
      expect(again).toMatchObject({ status: 409, body: { statusCode: 409, error: 'Conflict' } });
      expect(typeof again.body.message).toBe('string');
      const taken = await member(admin);
      const patched = await admin.patch(`/connect/members/${taken.id}`, { email: 'Grace@Example.com' });
      expect(patched.status).toBe(409);
      expect(
        (await other.post('/connect/members', { name: 'Grace', email: 'grace@example.com' })).status,
      ).toBe(201);
    });

    it('names the offending field of a bad body (400), unknown fields included', async () => {
      expectValidation(await admin.post('/connect/members', { name: 'X', email: 'not-an-email' }), 'email');
      expectValidation(await admin.post('/connect/members', { email: email() }), 'name');
      expectValidation(
        await admin.post('/connect/members', { name: 'X', email: email(), role: 'boss' }),
        'role',
      );
      const m = await member();
      expectValidation(await admin.patch(`/connect/members/${m.id}`, { active: 'yes' }), 'active');
      expectValidation(await admin.patch(`/connect/members/${m.id}`, { groupIds: [] }), 'groupIds');
      expectValidation(await admin.get('/connect/members/not-a-uuid'), 'id');
    });

    it('pages members with a cursor and filters them by active (strictly true or false) and groupId', async () => {
      const { admin: org } = await e2e.organization('Paging');
      const made: Member[] = [];
      for (let i = 0; i < 5; i++) made.push(await member(org));
      expect((await org.delete(`/connect/members/${made[1].id}`)).status).toBe(204);

      const all = await allPages<Member>(org, '/connect/members', 2);
      expect(all.sizes).toEqual([2, 2, 1]);
      expect(all.items.map((m) => m.id).sort()).toEqual(made.map((m) => m.id).sort());

      const inactive = await org.get<Page<Member>>('/connect/members?active=false');
      expect(inactive.status).toBe(200);
      expect(inactive.body.items.map((m) => m.id)).toEqual([made[1].id]);
      const active = await allPages<Member>(org, '/connect/members?active=true', 100);
      expect(active.items.map((m) => m.id).sort()).toEqual(
        made
          .filter((m) => m.id !== made[1].id)
          .map((m) => m.id)
          .sort(),
      );

      for (const value of ['yes', '1', 'TRUE', ''])
        expectValidation(await org.get(`/connect/members?active=${value}`), 'active');
      expectValidation(await org.get('/connect/members?active=true&active=false'), 'active');
      expectValidation(await org.get('/connect/members?limit=101'), 'limit');
      expectValidation(await org.get('/connect/members?limit=0'), 'limit');
      expectValidation(await org.get('/connect/members?groupId=nope'), 'groupId');

      const group = await created(
        org.post<MemberGroup>('/connect/member_groups', { name: 'G', memberIds: [made[0].id, made[2].id] }),
        'group',
      );
      const inGroup = await org.get<Page<Member>>(`/connect/members?groupId=${group.id}`);
      expect(inGroup.status).toBe(200);
      expect(inGroup.body.items.map((m) => m.id).sort()).toEqual([made[0].id, made[2].id].sort());
    });

    it('lets read list and get; only admin creates, changes and deactivates (403); 401 without a token', async () => {
      const m = await member();
      for (const api of [reader, writer]) {
        expect((await api.get(`/connect/members/${m.id}`)).status).toBe(200);
        expect((await api.get('/connect/members')).status).toBe(200);
        const denied = [
          await api.post('/connect/members', { name: 'N', email: email() }),
          await api.patch(`/connect/members/${m.id}`, { name: 'Stolen' }),
          await api.delete(`/connect/members/${m.id}`),
        ];
        for (const res of denied) expect(res).toMatchObject({ status: 403, body: { error: 'Forbidden' } });
      }
      expect(await admin.get(`/connect/members/${m.id}`)).toMatchObject({
        body: { name: m.name, active: true },
      });
      expect((await e2e.anonymous().get('/connect/members')).status).toBe(401);
      expect((await e2e.anonymous().post('/connect/members', { name: 'N', email: email() })).status).toBe(
        401,
      );
    });

    it("never shows or changes another organization's member (404)", async () => {
      const m = await member();
      expect((await other.get(`/connect/members/${m.id}`)).status).toBe(404);
      expect((await other.patch(`/connect/members/${m.id}`, { name: 'Stolen' })).status).toBe(404);
      expect((await other.delete(`/connect/members/${m.id}`)).status).toBe(404);
      expect((await admin.get(`/connect/members/${MISSING}`)).status).toBe(404);
      expect(await admin.get(`/connect/members/${m.id}`)).toMatchObject({
        body: { name: m.name, active: true },
      });
      const theirs = await other.get<Page<Member>>('/connect/members?limit=100');
      expect(theirs.body.items.map((x) => x.id)).not.toContain(m.id);
    });
  });

  describe('member groups', () => {
    it('creates (201), reads, replaces the members of and deletes (204) a group', async () => {
      const [a, b, c] = [await member(), await member(), await member()];
      const res = await admin.post<MemberGroup>('/connect/member_groups', {
        name: 'Sales',
        memberIds: [a.id, b.id],
      });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'id', 'memberIds', 'name']);
      expect(res.body.memberIds.sort()).toEqual([a.id, b.id].sort());
      const id = res.body.id;
      expect((await admin.get<Member>(`/connect/members/${a.id}`)).body.groupIds).toEqual([id]);

      const got = await reader.get<MemberGroup>(`/connect/member_groups/${id}`);
      expect(got).toMatchObject({ status: 200, body: { id, name: 'Sales' } });
      const replaced = await admin.patch<MemberGroup>(`/connect/member_groups/${id}`, {
        name: 'Sales EU',
        memberIds: [c.id],
      });
      expect(replaced).toMatchObject({ status: 200, body: { id, name: 'Sales EU', memberIds: [c.id] } });
      expect((await admin.get<Member>(`/connect/members/${a.id}`)).body.groupIds).toEqual([]);

      expect((await admin.delete(`/connect/member_groups/${id}`)).status).toBe(204);
      expect((await admin.get(`/connect/member_groups/${id}`)).status).toBe(404);
      expect((await admin.get<Member>(`/connect/members/${c.id}`)).body.groupIds).toEqual([]);
    });

    it('pages groups with a cursor', async () => {
      const { admin: org } = await e2e.organization('Groups');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++)
        ids.push(
          (
            await created(
              org.post<MemberGroup>('/connect/member_groups', { name: `G${i}`, memberIds: [] }),
              'g',
            )
          ).id,
        );
      const all = await allPages<MemberGroup>(org, '/connect/member_groups', 2);
      expect(all.sizes).toEqual([2, 1]);
      expect(all.items.map((g) => g.id).sort()).toEqual(ids.sort());
      expectValidation(await org.get('/connect/member_groups?limit=101'), 'limit');
    });

    it('names bad fields (400), refuses other scopes (403) and other organizations (404)', async () => {
      expectValidation(
        await admin.post('/connect/member_groups', { name: 'G', memberIds: ['x'] }),
        'memberIds',
      );
      expectValidation(await admin.post('/connect/member_groups', { name: 'G' }), 'memberIds');
      expectValidation(await admin.post('/connect/member_groups', { name: '', memberIds: [] }), 'name');
      expectValidation(await admin.post('/connect/member_groups', { name: 'G', memberIds: [], x: 1 }), 'x');
      const group = await created(
        admin.post<MemberGroup>('/connect/member_groups', { name: 'Kept', memberIds: [] }),
        'group',
      );
      expectValidation(
        await admin.patch(`/connect/member_groups/${group.id}`, { strategy: 'random' }),
        'strategy',
      );
      for (const api of [reader, writer]) {
        expect((await api.get(`/connect/member_groups/${group.id}`)).status).toBe(200);
        expect((await api.get('/connect/member_groups')).status).toBe(200);
        expect((await api.post('/connect/member_groups', { name: 'G', memberIds: [] })).status).toBe(403);
        expect((await api.patch(`/connect/member_groups/${group.id}`, { name: 'X' })).status).toBe(403);
        expect((await api.delete(`/connect/member_groups/${group.id}`)).status).toBe(403);
      }
      expect((await other.get(`/connect/member_groups/${group.id}`)).status).toBe(404);
      expect((await other.patch(`/connect/member_groups/${group.id}`, { name: 'X' })).status).toBe(404);
      expect((await other.delete(`/connect/member_groups/${group.id}`)).status).toBe(404);
      expect(await admin.get(`/connect/member_groups/${group.id}`)).toMatchObject({
        status: 200,
        body: { name: 'Kept' },
      });
    });
  });

  describe('tags', () => {
    it('creates (201 {id, name, color}), reads, changes and deletes (204) a tag', async () => {
      const res = await admin.post<Tag>('/connect/tags', { name: 'Hot', color: '#ff0000' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['color', 'id', 'name']);
      expect(res.body).toMatchObject({ name: 'Hot', color: '#ff0000' });
      const id = res.body.id;
      expect((await admin.post<Tag>('/connect/tags', { name: 'Plain' })).body.color).toBeNull();

      expect(await reader.get(`/connect/tags/${id}`)).toMatchObject({ status: 200, body: res.body });
      const changed = await admin.patch<Tag>(`/connect/tags/${id}`, { name: 'Very hot', color: null });
      expect(changed).toMatchObject({ status: 200, body: { id, name: 'Very hot', color: null } });
      expect((await admin.delete(`/connect/tags/${id}`)).status).toBe(204);
      expect((await admin.get(`/connect/tags/${id}`)).status).toBe(404);
    });

    it('refuses a name the organization already has, in any case (409); another organization may use it', async () => {
      await tag(admin, 'Webinar');
      expect(await admin.post('/connect/tags', { name: 'WEBINAR' })).toMatchObject({
        status: 409,
        body: { statusCode: 409, error: 'Conflict' },
      });
      const second = await tag(admin, 'Seminar');
      expect((await admin.patch(`/connect/tags/${second.id}`, { name: 'webinar' })).status).toBe(409);
      expect((await other.post('/connect/tags', { name: 'Webinar' })).status).toBe(201);
    });

    it('names bad fields (400), pages with a cursor, and refuses other scopes (403) and organizations (404)', async () => {
      expectValidation(await admin.post('/connect/tags', { name: 'C', color: 'red' }), 'color');
      expectValidation(await admin.post('/connect/tags', { name: '' }), 'name');
      expectValidation(await admin.post('/connect/tags', { name: 'x'.repeat(101) }), 'name');
      expectValidation(await admin.post('/connect/tags', { name: 'C', weight: 1 }), 'weight');

      const { admin: org } = await e2e.organization('Tags');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await tag(org, `T${i}`)).id);
      const all = await allPages<Tag>(org, '/connect/tags', 2);
      expect(all.sizes).toEqual([2, 1]);
      expect(all.items.map((t) => t.id).sort()).toEqual(ids.sort());
      expectValidation(await org.get('/connect/tags?limit=0'), 'limit');

      const t = await tag();
      for (const api of [reader, writer]) {
        expect((await api.get(`/connect/tags/${t.id}`)).status).toBe(200);
        expect((await api.post('/connect/tags', { name: `Denied ${++seq}` })).status).toBe(403);
        expect((await api.patch(`/connect/tags/${t.id}`, { name: 'X' })).status).toBe(403);
        expect((await api.delete(`/connect/tags/${t.id}`)).status).toBe(403);
      }
      expect((await other.get(`/connect/tags/${t.id}`)).status).toBe(404);
      expect((await other.patch(`/connect/tags/${t.id}`, { name: 'X' })).status).toBe(404);
      expect((await other.delete(`/connect/tags/${t.id}`)).status).toBe(404);
      expect(await admin.get(`/connect/tags/${t.id}`)).toMatchObject({ status: 200, body: { name: t.name } });
    });
  });

  describe('tags on entries', () => {
    it('applies (200 with the entry) and removes (200) a tag; a repeat changes nothing and emits nothing', async () => {
      const { poolId } = await e2e.pool(admin);
      const lead = await entry(poolId);
      expect(lead.tags).toEqual([]);
      const t = await tag(admin, `Applied ${++seq}`);

      const applied = await writer.post<Entry>(`/connect/table_entries/${lead.id}/tags`, { tagId: t.id });
      expect(applied).toMatchObject({
        status: 200,
        body: { id: lead.id, tags: [{ id: t.id, name: t.name }] },
      });
      const again = await writer.post<Entry>(`/connect/table_entries/${lead.id}/tags`, { tagId: t.id });
      expect(again).toMatchObject({ status: 200, body: { tags: [{ id: t.id, name: t.name }] } });
      expect((await reader.get<Entry>(`/connect/table_entries/${lead.id}`)).body.tags).toEqual([
        { id: t.id, name: t.name },
      ]);

      const removed = await writer.delete(`/connect/table_entries/${lead.id}/tags/${t.id}`);
      expect(removed).toMatchObject({ status: 200, body: { id: lead.id, tags: [] } });
      const removedAgain = await writer.delete(`/connect/table_entries/${lead.id}/tags/${t.id}`);
      expect(removedAgain).toMatchObject({ status: 200, body: { tags: [] } });
      // A marker tag applied last: once its event is read, every tag event of the lead before it is too.
      const marker = await tag();
      expect((await writer.post(`/connect/table_entries/${lead.id}/tags`, { tagId: marker.id })).status).toBe(
        200,
      );
      await e2e.events.waitFor(
        (e) =>
          e.body.type === 'table.entry.tag.applied' &&
          e.body.subject === lead.id &&
          e.body.data.tagId === marker.id,
      );
      const tagEvents = e2e.events.events.filter(
        (e) =>
          e.body.type.startsWith('table.entry.tag.') &&
          e.body.subject === lead.id &&
          e.body.data.tagId === t.id,
      );
      expect(tagEvents.map((e) => [e.body.type, e.body.data])).toEqual([
        ['table.entry.tag.applied', { entryId: lead.id, tableId: poolId, tagId: t.id, tagName: t.name }],
        ['table.entry.tag.removed', { entryId: lead.id, tableId: poolId, tagId: t.id, tagName: t.name }],
      ]);
    });

    it('filters entries by ?tagId and drops a deleted tag from every entry', async () => {
      const { poolId } = await e2e.pool(admin);
      const [tagged1, plain, tagged2] = [await entry(poolId), await entry(poolId), await entry(poolId)];
      const t = await tag();
      for (const e of [tagged1, tagged2])
        expect((await admin.post(`/connect/table_entries/${e.id}/tags`, { tagId: t.id })).status).toBe(200);

      const filtered = await allPages<Entry>(
        reader,
        `/connect/table_entries?tableId=${poolId}&tagId=${t.id}`,
        1,
      );
      expect(filtered.items.map((e) => e.id).sort()).toEqual([tagged1.id, tagged2.id].sort());
      expect(filtered.items.map((e) => e.id)).not.toContain(plain.id);
      expectValidation(await reader.get('/connect/table_entries?tagId=nope'), 'tagId');

      expect((await admin.delete(`/connect/tags/${t.id}`)).status).toBe(204);
      expect((await admin.get<Entry>(`/connect/table_entries/${tagged1.id}`)).body.tags).toEqual([]);
    });

    it('names bad fields (400), refuses read tokens (403) and other organizations (404)', async () => {
      const { poolId } = await e2e.pool(admin);
      const lead = await entry(poolId);
      const t = await tag();
      expectValidation(await admin.post(`/connect/table_entries/${lead.id}/tags`, { tagId: 'x' }), 'tagId');
      expectValidation(await admin.post(`/connect/table_entries/${lead.id}/tags`, {}), 'tagId');
      expectValidation(
        await admin.post(`/connect/table_entries/${lead.id}/tags`, { tagId: t.id, color: '#000000' }),
        'color',
      );
      expectValidation(await admin.delete(`/connect/table_entries/${lead.id}/tags/x`), 'tagId');
      expectValidation(await admin.post(`/connect/table_entries/x/tags`, { tagId: t.id }), 'id');

      expect((await reader.post(`/connect/table_entries/${lead.id}/tags`, { tagId: t.id })).status).toBe(403);
      expect((await reader.delete(`/connect/table_entries/${lead.id}/tags/${t.id}`)).status).toBe(403);
      expect((await other.post(`/connect/table_entries/${lead.id}/tags`, { tagId: t.id })).status).toBe(404);
      expect((await other.delete(`/connect/table_entries/${lead.id}/tags/${t.id}`)).status).toBe(404);
      // Another organization's tag on this organization's entry: refused, nothing applied.
      const theirs = await tag(other);
      const foreign = await admin.post(`/connect/table_entries/${lead.id}/tags`, { tagId: theirs.id });
      expect([400, 404]).toContain(foreign.status);
      expect((await admin.get<Entry>(`/connect/table_entries/${lead.id}`)).body.tags).toEqual([]);
    });
  });

  describe('assignment', () => {
    it('assigns, changes and unassigns with PATCH assignedMemberId; an unchanged value emits nothing', async () => {
      const { poolId } = await e2e.pool(admin);
      const lead = await entry(poolId);
      expect(lead.assignedMemberId).toBeNull();
      const [a, b] = [await member(), await member()];

      const assigned = await writer.patch<Entry>(`/connect/table_entries/${lead.id}`, {
        assignedMemberId: a.id,
      });
      expect(assigned).toMatchObject({ status: 200, body: { id: lead.id, assignedMemberId: a.id } });
      const same = await writer.patch<Entry>(`/connect/table_entries/${lead.id}`, { assignedMemberId: a.id });
      expect(same).toMatchObject({ status: 200, body: { assignedMemberId: a.id } });
      const moved = await writer.patch<Entry>(`/connect/table_entries/${lead.id}`, {
        assignedMemberId: b.id,
      });
      expect(moved.body.assignedMemberId).toBe(b.id);
      const unassigned = await writer.patch<Entry>(`/connect/table_entries/${lead.id}`, {
        assignedMemberId: null,
      });
      expect(unassigned).toMatchObject({ status: 200, body: { assignedMemberId: null } });
      expect((await reader.get<Entry>(`/connect/table_entries/${lead.id}`)).body.assignedMemberId).toBeNull();

      const events = await e2e.events.waitFor(
        (e) => e.body.type === 'table.entry.assigned' && e.body.subject === lead.id,
        10_000,
        3,
      );
      expect(events.map((e) => e.body.data)).toEqual([
        { entryId: lead.id, tableId: poolId, from: null, to: a.id },
        { entryId: lead.id, tableId: poolId, from: a.id, to: b.id },
        { entryId: lead.id, tableId: poolId, from: b.id, to: null },
      ]);
    });

    it('refuses an inactive, unknown or foreign member with a 400 naming assignedMemberId', async () => {
      const { poolId } = await e2e.pool(admin);
      const lead = await entry(poolId);
      const gone = await member();
      expect((await admin.delete(`/connect/members/${gone.id}`)).status).toBe(204);
      const theirs = await member(other);
      for (const [label, value] of [
        ['inactive', gone.id],
        ['unknown', MISSING],
        ['foreign', theirs.id],
        ['not a uuid', 'someone'],
      ] as const) {
        const res = await admin.patch(`/connect/table_entries/${lead.id}`, { assignedMemberId: value });
        withContext(label, () => expectValidation(res, 'assignedMemberId'));
      }
      expect((await admin.get<Entry>(`/connect/table_entries/${lead.id}`)).body.assignedMemberId).toBeNull();
      const m = await member();
      expect(
        (await reader.patch(`/connect/table_entries/${lead.id}`, { assignedMemberId: m.id })).status,
      ).toBe(403);
      expect(
        (await other.patch(`/connect/table_entries/${lead.id}`, { assignedMemberId: theirs.id })).status,
      ).toBe(404);
    });
  });

  describe('duplicate detection', () => {
    it('stores 20 identical concurrent leads as 1 original and 19 duplicates, listed page by page', async () => {
      const { poolId } = await e2e.pool(admin, { email: 'string', phone: 'string' });
      const dedupe = { keys: ['email', 'phone'], phoneRegion: 'DE' };
      const configured = await admin.patch(`/connect/lead_pools/${poolId}`, { dedupe });
      expect(configured).toMatchObject({ status: 200, body: { id: poolId, dedupe } });

      const data = { email: 'Twin@Example.com', phone: '030 1234567' };
      const posted = await Promise.all(
        Array.from({ length: 20 }, () =>
          writer.post<Entry>('/connect/table_entries', { tableId: poolId, data }),
        ),
      );
      expect(posted.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 201));
      const originals = posted.filter((r) => r.body.duplicateOfId === null);
      expect(originals).toHaveLength(1);
      const original = originals[0].body;
      const duplicates = posted.filter((r) => r.body.duplicateOfId !== null).map((r) => r.body);
      expect(duplicates).toHaveLength(19);
      for (const d of duplicates) expect(d.duplicateOfId).toBe(original.id);

      const listed = await allPages<Entry>(reader, `/connect/table_entries/${original.id}/duplicates`, 10);
      expect(listed.sizes).toEqual([10, 9]);
      expect(listed.items.map((e) => e.id).sort()).toEqual(duplicates.map((e) => e.id).sort());
      for (const e of listed.items) expect(e.duplicateOfId).toBe(original.id);

      // The same contact written differently: the phone in E.164, or the email padded and in another case.
      const variant = await entry(poolId, { email: ' someone.else@example.com ', phone: '+49 30 1234567' });
      expect(variant.duplicateOfId).toBe(original.id);
      const detected = await e2e.events.waitFor(
        (e) => e.body.type === 'table.entry.duplicate.detected' && e.body.subject === variant.id,
      );
      expect(detected[0].body.data).toEqual({
        entryId: variant.id,
        tableId: poolId,
        duplicateOfId: original.id,
        matchedOn: ['phone'],
      });
      const byEmail = await entry(poolId, { email: '  TWIN@example.COM ', phone: '+49 40 111111' });
      expect(byEmail.duplicateOfId).toBe(original.id);
      const byEmailEvent = await e2e.events.waitFor(
        (e) => e.body.type === 'table.entry.duplicate.detected' && e.body.subject === byEmail.id,
      );
      expect(byEmailEvent[0].body.data).toMatchObject({ duplicateOfId: original.id, matchedOn: ['email'] });
      expect(
        (await entry(poolId, { email: 'new@example.com', phone: '+49 89 7654321' })).duplicateOfId,
      ).toBeNull();
    }, 60_000);

    it('is off by default; the duplicates route names bad paging (400) and hides other organizations (404)', async () => {
      const { poolId } = await e2e.pool(admin, { email: 'string' });
      const first = await entry(poolId, { email: 'same@example.com' });
      const second = await entry(poolId, { email: 'same@example.com' });
      expect([first.duplicateOfId, second.duplicateOfId]).toEqual([null, null]);
      expect(await reader.get(`/connect/table_entries/${first.id}/duplicates`)).toMatchObject({
        status: 200,
        body: { items: [], nextCursor: null },
      });
      expectValidation(await reader.get(`/connect/table_entries/${first.id}/duplicates?limit=0`), 'limit');
      expectValidation(await reader.get(`/connect/table_entries/${first.id}/duplicates?limit=101`), 'limit');
      expectValidation(await reader.get('/connect/table_entries/x/duplicates'), 'id');
      expect((await other.get(`/connect/table_entries/${first.id}/duplicates`)).status).toBe(404);
      expect((await reader.get(`/connect/table_entries/${MISSING}/duplicates`)).status).toBe(404);
    });

    it('names bad dedupe settings (400) and lets only admin change them (403)', async () => {
      const { poolId } = await e2e.pool(admin);
      expectValidation(
        await admin.patch(`/connect/lead_pools/${poolId}`, { dedupe: { keys: [] } }),
        'dedupe.keys',
      );
      expectValidation(
        await admin.patch(`/connect/lead_pools/${poolId}`, {
          dedupe: { keys: ['email'], phoneRegion: 'de' },
        }),
        'dedupe.phoneRegion',
      );
      expectValidation(
        await admin.patch(`/connect/lead_pools/${poolId}`, { dedupe: { keys: ['email'], fuzzy: true } }),
        'dedupe.fuzzy',
      );
      expect(
        (await writer.patch(`/connect/lead_pools/${poolId}`, { dedupe: { keys: ['email'] } })).status,
      ).toBe(403);
      expect((await admin.get(`/connect/lead_pools/${poolId}`)).body.dedupe).toBeNull();
      const off = await admin.patch(`/connect/lead_pools/${poolId}`, { dedupe: null });
      expect(off).toMatchObject({ status: 200, body: { dedupe: null } });
    });
  });

  describe('lead states and milestones', () => {
    it('creates a state with a milestone and changes it with PATCH (200 LeadState)', async () => {
      const { poolId, stateId } = await e2e.pool(admin);
      const res = await admin.post<LeadState>(`/connect/lead_pools/${poolId}/lead_states`, {
        name: 'Qualified',
        milestone: 'qualified',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        tableId: poolId,
        name: 'Qualified',
        isDefault: false,
        milestone: 'qualified',
      });
      const id = res.body.id;

      const patched = await admin.patch<LeadState>(`/connect/lead_pools/${poolId}/lead_states/${id}`, {
        name: 'Won',
        milestone: 'converted',
      });
      expect(patched).toMatchObject({
        status: 200,
        body: { id, tableId: poolId, name: 'Won', isDefault: false, milestone: 'converted' },
      });
      const cleared = await admin.patch<LeadState>(`/connect/lead_pools/${poolId}/lead_states/${id}`, {
        milestone: null,
      });
      expect(cleared).toMatchObject({ status: 200, body: { name: 'Won', milestone: null } });

      const made = await admin.patch<LeadState>(`/connect/lead_pools/${poolId}/lead_states/${id}`, {
        isDefault: true,
      });
      expect(made).toMatchObject({ status: 200, body: { isDefault: true } });
      const states = await admin.get<LeadState[]>(`/connect/lead_pools/${poolId}/lead_states`);
      expect(states.body.filter((s) => s.isDefault).map((s) => s.id)).toEqual([id]);
      expect(states.body.find((s) => s.id === stateId)?.isDefault).toBe(false);
    });

    it('names bad fields (400) and refuses other scopes (403), organizations and pools (404)', async () => {
      const { poolId, stateId } = await e2e.pool(admin);
      const path = `/connect/lead_pools/${poolId}/lead_states`;
      expectValidation(await admin.post(path, { name: 'S', milestone: 'won' }), 'milestone');
      expectValidation(await admin.patch(`${path}/${stateId}`, { milestone: 'won' }), 'milestone');
      expectValidation(await admin.patch(`${path}/${stateId}`, { name: '' }), 'name');
      // A state stops being the default only when another becomes it.
      expectValidation(await admin.patch(`${path}/${stateId}`, { isDefault: false }), 'isDefault');
      expectValidation(await admin.patch(`${path}/${stateId}`, { color: 'red' }), 'color');
      expectValidation(await admin.patch(`${path}/not-a-uuid`, { name: 'S' }), 'stateId');
      expectValidation(
        await admin.patch(`/connect/lead_pools/x/lead_states/${stateId}`, { name: 'S' }),
        'id',
      );
      for (const api of [reader, writer])
        expect((await api.patch(`${path}/${stateId}`, { name: 'S' })).status).toBe(403);
      expect((await other.patch(`${path}/${stateId}`, { name: 'S' })).status).toBe(404);
      const elsewhere = await e2e.pool(admin);
      expect(
        (await admin.patch(`/connect/lead_pools/${elsewhere.poolId}/lead_states/${stateId}`, { name: 'S' }))
          .status,
      ).toBe(404);
      expect((await admin.patch(`${path}/${MISSING}`, { name: 'S' })).status).toBe(404);
      const states = await admin.get<LeadState[]>(path);
      expect(states.body.map((s) => s.name)).toEqual(['New']);
    });

    it('reaches a milestone once per lead, even when it re-enters the state', async () => {
      const { poolId } = await e2e.pool(admin);
      const path = `/connect/lead_pools/${poolId}/lead_states`;
      const contacted = await created(
        admin.post<LeadState>(path, { name: 'Called', milestone: 'contacted' }),
        's',
      );
      const open = await created(admin.post<LeadState>(path, { name: 'Open' }), 's');
      const lead = await entry(poolId);
      // Re-enters the milestone's state, then leaves it: the last change follows any event the re-entry made.
      for (const state of [contacted, open, contacted, open])
        expect(
          (await writer.patch(`/connect/table_entries/${lead.id}`, { leadStateId: state.id })).status,
        ).toBe(200);
      const changes = await e2e.events.waitFor(
        (e) => e.body.type === 'table.entry.leadState.changed' && e.body.subject === lead.id,
        10_000,
        5,
      );
      expect(changes).toHaveLength(5);
      const reached = e2e.events.events.filter(
        (e) => e.body.type === 'table.entry.milestone.reached' && e.body.subject === lead.id,
      );
      expect(reached.map((e) => e.body.data)).toEqual([
        { entryId: lead.id, tableId: poolId, milestone: 'contacted', leadStateId: contacted.id },
      ]);
    });
  });
});
