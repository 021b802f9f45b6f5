import { Inject, Injectable } from '@nestjs/common';
import {
  assertWithinLimits,
  CONTACT_LIMITS,
  DomainError,
  type Member,
  type MembersCreateCommand,
  type MembersDeactivateCommand,
  type MembersGetCommand,
  type MembersListCommand,
  type MembersUpdateCommand,
  type Page,
} from '@rocketlead/contracts';
import { pageOf, TRANSACTION, type Transactional, clientCursor } from '@rocketlead/persistence';
import { isEmailConflict, MembersRepository } from './members.repository';
import { assertRoomInOrganization } from '../database/organization-quota';

export const memberNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Member not found');

const emailTaken = (): DomainError =>
  new DomainError('CONFLICT', 'Another member of this organization has this email', {
    errors: [{ field: 'email', message: 'is already used by another member' }],
  });

/** `work`, with a clash on the organization's member emails answered as a 409 naming `email`. */
async function mapEmailConflict<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isEmailConflict(error)) throw emailTaken();
    throw error;
  }
}

@Injectable()
export class MembersService {
  constructor(
    private readonly members: MembersRepository,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  create(request: MembersCreateCommand): Promise<Member> {
    const { organizationId } = request;
    assertWithinLimits({ name: request.name, email: request.email });
    return mapEmailConflict(
      this.transaction(async (manager) => {
        await assertRoomInOrganization(
          manager,
          'members',
          organizationId,
          CONTACT_LIMITS.membersPerOrganization,
          'email',
        );
        return this.members.insert(manager, organizationId, { name: request.name, email: request.email });
      }),
    );
  }

  async list(request: MembersListCommand): Promise<Page<Member>> {
    const after = clientCursor(request.cursor || undefined);
    // One extra row tells whether another page exists.
    const rows = await this.members.list(
      request.organizationId,
      { groupId: request.groupId, active: request.active },
      request.limit + 1,
      after,
    );
    return pageOf(rows, request.limit, (member) => ({ at: member.createdAt, id: member.id }));
  }

  async get(request: MembersGetCommand): Promise<Member> {
    const member = await this.members.find(request.organizationId, request.id);
    if (!member) throw memberNotFound();
    return member;
  }

  update(request: MembersUpdateCommand): Promise<Member> {
    assertWithinLimits({ name: request.name, email: request.email });
    return this.change(request.organizationId, request.id, {
      name: request.name ?? undefined,
      email: request.email ?? undefined,
      active: request.active ?? undefined,
    });
  }

  /** Deactivates (idempotent): the member stays, with its assignments, but is never picked nor assigned. */
  deactivate(request: MembersDeactivateCommand): Promise<Member> {
    return this.change(request.organizationId, request.id, { active: false });
  }

  private change(
    organizationId: string,
    id: string,
    changes: { name?: string; email?: string; active?: boolean },
  ): Promise<Member> {
    return mapEmailConflict(
      this.transaction(async (manager) => {
        const member = await this.members.update(manager, organizationId, id, changes);
        if (!member) throw memberNotFound();
        return member;
      }),
    );
  }
}
