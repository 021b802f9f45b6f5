import { defineServiceDatabase } from '@rocketlead/persistence';
import { AUTOMATION_MIGRATIONS } from '../migrations';
import { AUTOMATION_ENTITIES, AUTOMATION_SCHEMA } from './entities';

export const automationDatabase = defineServiceDatabase({
  schema: AUTOMATION_SCHEMA,
  entities: AUTOMATION_ENTITIES,
  migrations: AUTOMATION_MIGRATIONS,
  applicationName: 'automation',
});
