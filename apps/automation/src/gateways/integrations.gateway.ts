import { Injectable } from '@nestjs/common';
import { COMMANDS, nullIfNotFound, type Product } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';

/** What automation asks of integrations, which owns products. */
@Injectable()
export class IntegrationsGateway {
  constructor(private readonly rpc: RpcClient) {}

  product(organizationId: string, id: string, traceparent: string | null = null): Promise<Product | null> {
    return nullIfNotFound(this.rpc.request(COMMANDS.productsGet, { organizationId, id }, { traceparent }));
  }
}
