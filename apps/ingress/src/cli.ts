import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { transactional } from '@rocketlead/persistence';
import { ApiTokensRepository } from './api-tokens/api-tokens.repository';
import { loadIngressConfig } from './config';
import { ingressDatabase } from './database/database.module';
import { migrateIngress } from './migrate';
import { OrganizationsRepository } from './organizations/organizations.repository';
import { OrganizationsService } from './organizations/organizations.service';

const USAGE = 'usage: rl bootstrap --org "<name>"';

/** `rl bootstrap --org NAME`: prints exactly one JSON line with the organization id and its admin token. */
async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { org: { type: 'string' } },
  });
  if (positionals[0] !== 'bootstrap' || !values.org) throw new Error(USAGE);
  const config = loadIngressConfig();
  await migrateIngress(config);
  const dataSource = await ingressDatabase.dataSource({ ...config, DB_POOL_SIZE: 2 }).initialize();
  try {
    const service = new OrganizationsService(
      new OrganizationsRepository(dataSource),
      new ApiTokensRepository(dataSource),
      transactional(dataSource),
    );
    process.stdout.write(`${JSON.stringify(await service.bootstrap(values.org))}\n`);
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(error.message === USAGE ? 2 : 1);
});
