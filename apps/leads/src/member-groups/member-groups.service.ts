import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  assertWithinLimits,
  CONTACT_LIMITS,
  DomainError,
  type MemberGroup,
  type MemberGroupsCreateCommand,
  type MemberGroupsDeleteCommand,
  type MemberGroupsGetCommand,
  type MemberGroupsListCommand,
  type MemberGroupsUpdateCommand,
  type Page,
} from '@rocketlead/contracts';
import { pageOf, TRANSACTION, type Transactional, clientCursor } from '@rocketlead/persistence';
import { MembersRepository } from '../members/members.repository';
import { assertRoomInOrganization } from '../database/organization-quota';
import { MemberGroupsRepository } from './member-groups.repository';

export const memberGroupNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Member group not found');

@Injectable()
export class MemberGroupsService {
  constructor(
    private readonly groups: MemberGroupsRepository,
    private readonly members: MembersRepository,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  create(request: MemberGroupsCreateCommand): Promise<MemberGroup> {
    const { organizationId } = request;
    assertWithinLimits(request.name, { path: 'name' });
    return this.transaction(async (manager) => {
      await assertRoomInOrganization(
        manager,
        'member-groups',
        organizationId,
        CONTACT_LIMITS.groupsPerOrganization,
        'name',
      );
      const memberIds = await this.checkedMembers(manager, organizationId, request.memberIds);
      const id = await this.groups.insert(manager, organizationId, request.name);
      await this.groups.replaceMembers(manager, organizationId, id, memberIds);
      return (await this.groups.find(organizationId, id, manager))!;
    });
  }

  async list(request: MemberGroupsListCommand): Promise<Page<MemberGroup>> {
    const after = clientCursor(request.cursor || undefined);
    // One extra row tells whether another page exists.
    const rows = await this.groups.list(request.organizationId, request.limit + 1, after);
    return pageOf(rows, request.limit, (group) => ({ at: group.createdAt, id: group.id }));
  }

  async get(request: MemberGroupsGetCommand): Promise<MemberGroup> {
    const group = await this.groups.find(request.organizationId, request.id);
    if (!group) throw memberGroupNotFound();
    return group;
  }

  update(request: MemberGroupsUpdateCommand): Promise<MemberGroup> {
    const { organizationId, id } = request;
    if (request.name != null) assertWithinLimits(request.name, { path: 'name' });
    return this.transaction(async (manager) => {
      // The lock orders this change after any round robin pick in progress on the group.
      if (!(await this.groups.lock(manager, organizationId, id))) throw memberGroupNotFound();
      if (request.name != null) await this.groups.rename(manager, organizationId, id, request.name);
      if (request.memberIds != null) {
        const memberIds = await this.checkedMembers(manager, organizationId, request.memberIds);
        await this.groups.replaceMembers(manager, organizationId, id, memberIds);
      }
      return (await this.groups.find(organizationId, id, manager))!;
    });
  }

  /** Deletes the group (its members stay) and answers it as it was. */
  delete(request: MemberGroupsDeleteCommand): Promise<MemberGroup> {
    const { organizationId, id } = request;
    return this.transaction(async (manager) => {
      if (!(await this.groups.lock(manager, organizationId, id))) throw memberGroupNotFound();
      const group = (await this.groups.find(organizationId, id, manager))!;
      await this.groups.delete(manager, organizationId, id);
      return group;
    });
  }

  /** `ids` without repeats, all members of the organization; otherwise a 400 naming `memberIds`. */
  private async checkedMembers(
    manager: EntityManager,
    organizationId: string,
    ids: string[],
  ): Promise<string[]> {
    const unique = [...new Set(ids)];
    const known = await this.members.existing(manager, organizationId, unique);
    const unknown = unique.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
        errors: [
          { field: 'memberIds', message: `are not members of this organization: ${unknown.join(', ')}` },
        ],
      });
    }
    return unique;
  }
}
