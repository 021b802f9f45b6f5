import { IsIn, IsOptional } from 'class-validator';
import { INTEGRATION_PROVIDERS, type IntegrationProvider } from '@rocketlead/contracts';
import { PageQuery } from '../../http/page.query';

/** `GET /connect/integrations`: a page of the organization's provider connections, narrowed to one provider. */
export class ListIntegrationsQuery extends PageQuery {
  @IsOptional()
  @IsIn(INTEGRATION_PROVIDERS)
  provider?: IntegrationProvider;
}
