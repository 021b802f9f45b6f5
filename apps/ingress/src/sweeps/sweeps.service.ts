import { Injectable } from '@nestjs/common';
import { COMMANDS, type BirthdaySweepResult, type SweepBirthdayBody } from '@rocketlead/contracts';
import { RpcClient } from '@rocketlead/messaging';
import type { Principal } from '../auth/principal';
import type { RequestContext } from '../http/request-context';

/** Sweeps run in the service owning the data; ingress authorizes and forwards. */
@Injectable()
export class SweepsService {
  constructor(private readonly rpc: RpcClient) {}

  birthday(
    principal: Principal,
    dto: SweepBirthdayBody,
    request: RequestContext,
  ): Promise<BirthdaySweepResult> {
    return this.rpc.request(
      COMMANDS.birthdaySweep,
      { organizationId: principal.organizationId, date: dto.date },
      { traceparent: request.traceparent },
    );
  }
}
