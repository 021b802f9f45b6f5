import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { NatsConnection } from 'nats';
import { WireNames } from '@rocketlead/contracts';
import { JsonLogger } from '@rocketlead/observability';
import { MESSAGING_OPTIONS, NATS_CONNECTION } from './tokens';
import type { MessagingOptions } from './messaging-options';
import { connectNats } from './nats-connection';
import { RpcClient } from './rpc/rpc-client';
import { CommandClientProxy } from './rpc/command-client.proxy';
import { CommandTransportServer } from './rpc/command-transport.server';
import { MetricsRegistry } from './health/metrics.registry';
import { TelemetryShutdown } from './health/telemetry-shutdown';

/** Closes the NATS connection last, after servers and consumers stopped in beforeApplicationShutdown. */
class NatsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: WireNames, useValue: new WireNames(options.namespace) },
        { provide: JsonLogger, useValue: new JsonLogger(options.serviceName) },
        {
          provide: NATS_CONNECTION,
          useFactory: () =>
            connectNats({ url: options.natsUrl, name: options.serviceName, ...options.natsSecurity }),
        },
        NatsLifecycle,
        TelemetryShutdown,
        MetricsRegistry,
        CommandClientProxy,
        RpcClient,
        CommandTransportServer,
      ],
      exports: [
        MESSAGING_OPTIONS,
        WireNames,
        NATS_CONNECTION,
        CommandClientProxy,
        RpcClient,
        CommandTransportServer,
        JsonLogger,
        MetricsRegistry,
      ],
    };
  }
}
