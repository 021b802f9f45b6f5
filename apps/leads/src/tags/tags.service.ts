import { Inject, Injectable } from '@nestjs/common';
import {
  assertWithinLimits,
  CONTACT_LIMITS,
  DomainError,
  type Page,
  type Tag,
  type TagsCreateCommand,
  type TagsDeleteCommand,
  type TagsGetCommand,
  type TagsListCommand,
  type TagsUpdateCommand,
} from '@rocketlead/contracts';
import { pageOf, TRANSACTION, type Transactional, clientCursor } from '@rocketlead/persistence';
import { assertRoomInOrganization } from '../database/organization-quota';
import { isTagNameConflict, TagsRepository } from './tags.repository';

export const tagNotFound = (): DomainError => new DomainError('NOT_FOUND', 'Tag not found');

const nameTaken = (): DomainError =>
  new DomainError('CONFLICT', 'Another tag of this organization has this name', {
    errors: [{ field: 'name', message: 'is already used by another tag (names ignore case)' }],
  });

/** `work`, with a clash on the organization's tag names answered as a 409 naming `name`. */
async function mapNameConflict<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isTagNameConflict(error)) throw nameTaken();
    throw error;
  }
}

@Injectable()
export class TagsService {
  constructor(
    private readonly tags: TagsRepository,
    @Inject(TRANSACTION) private readonly transaction: Transactional,
  ) {}

  create(request: TagsCreateCommand): Promise<Tag> {
    const { organizationId } = request;
    assertWithinLimits(request.name, { path: 'name' });
    return mapNameConflict(
      this.transaction(async (manager) => {
        await assertRoomInOrganization(
          manager,
          'tags',
          organizationId,
          CONTACT_LIMITS.tagsPerOrganization,
          'name',
        );
        return this.tags.insert(manager, organizationId, {
          name: request.name,
          color: request.color ?? null,
        });
      }),
    );
  }

  async list(request: TagsListCommand): Promise<Page<Tag>> {
    const after = clientCursor(request.cursor || undefined);
    // One extra row tells whether another page exists.
    const rows = await this.tags.list(request.organizationId, request.limit + 1, after);
    const page = pageOf(rows, request.limit, (row) => row.position);
    return { items: page.items.map((row) => row.tag), nextCursor: page.nextCursor };
  }

  async get(request: TagsGetCommand): Promise<Tag> {
    const tag = await this.tags.find(request.organizationId, request.id);
    if (!tag) throw tagNotFound();
    return tag;
  }

  update(request: TagsUpdateCommand): Promise<Tag> {
    if (request.name != null) assertWithinLimits(request.name, { path: 'name' });
    return mapNameConflict(
      this.transaction(async (manager) => {
        const tag = await this.tags.update(manager, request.organizationId, request.id, {
          ...(request.name != null ? { name: request.name } : {}),
          ...(request.color !== undefined ? { color: request.color } : {}),
        });
        if (!tag) throw tagNotFound();
        return tag;
      }),
    );
  }

  /** Deletes the tag and takes it off every entry; no event: nobody applied or removed it on a lead. */
  delete(request: TagsDeleteCommand): Promise<Tag> {
    return this.transaction(async (manager) => {
      const tag = await this.tags.delete(manager, request.organizationId, request.id);
      if (!tag) throw tagNotFound();
      return tag;
    });
  }
}
