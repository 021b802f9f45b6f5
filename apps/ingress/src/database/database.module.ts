import { defineServiceDatabase } from '@rocketlead/persistence';
import { INGRESS_MIGRATIONS } from '../migrations';
import { INGRESS_ENTITIES, INGRESS_SCHEMA } from './entities';

export const ingressDatabase = defineServiceDatabase({
  schema: INGRESS_SCHEMA,
  entities: INGRESS_ENTITIES,
  migrations: INGRESS_MIGRATIONS,
  applicationName: 'ingress',
});
