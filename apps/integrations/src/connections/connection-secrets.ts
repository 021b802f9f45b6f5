import { Injectable } from '@nestjs/common';
import { SecretBox } from '@rocketlead/persistence';

/** What a connection needs in clear: Stripe's webhook signing secret and API key, Eventbrite's token. */
export type ConnectionSecrets =
  | { provider: 'stripe'; webhookSecret: string; apiKey: string | null }
  | { provider: 'eventbrite'; apiToken: string };

/** HKDF label of the key derived from INTEGRATIONS_ENCRYPTION_KEY; changing it makes stored secrets unreadable. */
export const CONNECTION_SECRETS_PURPOSE = 'rocketlead integration secrets';

export class UnreadableSecretsError extends Error {
  constructor() {
    super(
      'the connection secrets cannot be decrypted (was INTEGRATIONS_ENCRYPTION_KEY changed?); connect the provider again',
    );
    this.name = 'UnreadableSecretsError';
  }
}

/** Seals a connection's secrets as one encrypted JSON object; they never leave the service in clear. */
@Injectable()
export class ConnectionSecretsBox {
  constructor(private readonly box: SecretBox) {}

  seal(secrets: ConnectionSecrets): Buffer {
    return this.box.seal(JSON.stringify(secrets));
  }

  open(sealed: Buffer): ConnectionSecrets {
    try {
      return JSON.parse(this.box.open(sealed)) as ConnectionSecrets;
    } catch {
      throw new UnreadableSecretsError();
    }
  }
}
