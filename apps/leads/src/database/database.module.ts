import { defineServiceDatabase } from '@rocketlead/persistence';
import { LEADS_MIGRATIONS } from '../migrations';
import { LEADS_ENTITIES, LEADS_SCHEMA } from './entities';

export const leadsDatabase = defineServiceDatabase({
  schema: LEADS_SCHEMA,
  entities: LEADS_ENTITIES,
  migrations: LEADS_MIGRATIONS,
  applicationName: 'leads',
});
