import { Injectable } from '@nestjs/common';
import { COMMANDS, type Delivery } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import { connectActor, type RequestContext } from '../http/request-context';

/** Deliveries live in `delivery`; ingress authorizes and forwards. */
@Injectable()
export class DeliveriesService {
  constructor(private readonly rpc: RpcClient) {}

  /** A new delivery of the same content to the same destination; it is sent asynchronously. */
  resend(principal: Principal, id: string, request: RequestContext): Promise<Delivery> {
    return this.rpc.request(
      COMMANDS.deliveriesResend,
      { actor: connectActor(principal, request), id },
      { traceparent: request.traceparent },
    );
  }
}
