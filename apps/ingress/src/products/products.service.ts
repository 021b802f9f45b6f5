import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type CreateProductBody,
  type Page,
  type Product,
  type UpdateProductBody,
} from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { given } from '../http/given-fields';
import { pageFields, type PageQuery } from '../http/page.query';
import type { RequestContext } from '../http/request-context';

const LINK_FIELDS = ['stripeProductId', 'stripePriceId'] as const;

/** Products (what a Stripe purchase links to) live in `integrations`; ingress authorizes and forwards. */
@Injectable()
export class ProductsService {
  constructor(private readonly rpc: RpcClient) {}

  create(principal: Principal, dto: CreateProductBody, request: RequestContext): Promise<Product> {
    return this.rpc.request(
      COMMANDS.productsCreate,
      {
        organizationId: principal.organizationId,
        name: dto.name,
        ...given(dto, LINK_FIELDS),
        traceparent: request.traceparent,
      },
      { traceparent: request.traceparent },
    );
  }

  list(principal: Principal, query: PageQuery, request: RequestContext): Promise<Page<Product>> {
    return this.rpc.request(
      COMMANDS.productsList,
      { organizationId: principal.organizationId, ...pageFields(query) },
      { traceparent: request.traceparent },
    );
  }

  get(principal: Principal, id: string, request: RequestContext): Promise<Product> {
    return this.rpc.request(
      COMMANDS.productsGet,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }

  update(
    principal: Principal,
    id: string,
    dto: UpdateProductBody,
    request: RequestContext,
  ): Promise<Product> {
    return this.rpc.request(
      COMMANDS.productsUpdate,
      {
        organizationId: principal.organizationId,
        id,
        ...given(dto, ['name', ...LINK_FIELDS] as const),
        traceparent: request.traceparent,
      },
      { traceparent: request.traceparent },
    );
  }

  remove(principal: Principal, id: string, request: RequestContext): Promise<Product> {
    return this.rpc.request(
      COMMANDS.productsDelete,
      { organizationId: principal.organizationId, id },
      { traceparent: request.traceparent },
    );
  }
}
