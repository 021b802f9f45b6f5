import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { type BirthdaySweepResult, SweepBirthdayBody } from '@rocketlead/contracts';
import { ConnectAuthGuard, RequireScope } from '../auth/connect-auth.guard';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentRequest, type RequestContext } from '../http/request-context';
import { SweepsService } from './sweeps.service';

/** Runs a scheduled sweep now, for operators and tests; the once-per-year guarantee still holds. */
@Controller('api/v1/sweeps')
@UseGuards(ConnectAuthGuard)
export class SweepsController {
  constructor(private readonly sweeps: SweepsService) {}

  // 200, not 201: a sweep creates nothing addressable, and a repeated one reports 0 emitted.
  @Post('birthday')
  @HttpCode(200)
  @RequireScope('admin')
  birthday(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: SweepBirthdayBody,
    @CurrentRequest() request: RequestContext,
  ): Promise<BirthdaySweepResult> {
    return this.sweeps.birthday(principal, dto, request);
  }
}
