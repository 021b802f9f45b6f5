import { Injectable } from '@nestjs/common';
import {
  DomainError,
  isEmailAddress,
  normaliseEmail,
  type ContactResolution,
  type ContactsResolveCommand,
  type EntryData,
} from '@rocketlead/contracts';
import { EntriesService } from '../entries/entries.service';
import { PoolsRepository } from '../pools/pools.repository';
import { poolNotFound } from '../pools/pools.service';
import { ContactMatchingRepository } from './contact-matching.repository';

/** The data key contacts are resolved by. */
const EMAIL_KEY = 'email';

/** The data of a new contact: the email as given (trimmed), and name and phone when given. */
function contactData(command: ContactsResolveCommand): EntryData {
  const data: EntryData = { [EMAIL_KEY]: command.email.trim() };
  for (const key of ['name', 'phone'] as const) {
    const value = command[key]?.trim();
    if (value) data[key] = value;
  }
  return data;
}

/**
 * Contacts other services match by email (Stripe customers, Eventbrite attendees, RSVPs): found in the pool
 * as a form finds its contact, or created as a form creates one (schema inference, duplicate detection and
 * the entry's events).
 */
@Injectable()
export class ContactsService {
  constructor(
    private readonly pools: PoolsRepository,
    private readonly entries: EntriesService,
    private readonly contacts: ContactMatchingRepository,
  ) {}

  async resolve(command: ContactsResolveCommand): Promise<ContactResolution> {
    if (!isEmailAddress(command.email))
      throw new DomainError('VALIDATION_FAILED', 'Validation failed', {
        errors: [{ field: 'email', message: 'must be an email address' }],
      });
    const { actor } = command;
    const pool = await this.pools.findCached(actor.organizationId, command.tableId);
    if (!pool) throw poolNotFound();
    const email = normaliseEmail(command.email);
    // The key a form deduplicating on `email` locks too: a submission and a purchase of one new person make
    // one contact.
    return this.contacts.exclusively(`${pool.id}:${EMAIL_KEY}:${email}`, async () => {
      const existingId = await this.contacts.findContact(
        actor.organizationId,
        pool.id,
        EMAIL_KEY,
        email,
        pool.dedupe?.phoneRegion ?? null,
      );
      // An existing contact is left as its owner stored it.
      if (existingId !== null) return { entryId: existingId, created: false };
      const entry = await this.entries.create({
        actor,
        tableId: pool.id,
        data: contactData(command),
        schemaMode: 'infer',
      });
      return { entryId: entry.id, created: true };
    });
  }
}
