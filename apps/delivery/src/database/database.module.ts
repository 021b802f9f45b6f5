import { defineServiceDatabase } from '@rocketlead/persistence';
import { DELIVERY_MIGRATIONS } from '../migrations';
import { DELIVERY_ENTITIES, DELIVERY_SCHEMA } from './entities';

export const deliveryDatabase = defineServiceDatabase({
  schema: DELIVERY_SCHEMA,
  entities: DELIVERY_ENTITIES,
  migrations: DELIVERY_MIGRATIONS,
  applicationName: 'delivery',
});
