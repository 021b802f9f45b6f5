import { defineServiceDatabase } from '@rocketlead/persistence';
import { INTEGRATIONS_MIGRATIONS } from '../migrations';
import { INTEGRATIONS_ENTITIES, INTEGRATIONS_SCHEMA } from './entities';

export const integrationsDatabase = defineServiceDatabase({
  schema: INTEGRATIONS_SCHEMA,
  entities: INTEGRATIONS_ENTITIES,
  migrations: INTEGRATIONS_MIGRATIONS,
  applicationName: 'integrations',
});
