import type { OnApplicationShutdown } from '@nestjs/common';
import { stopTelemetry } from '@rocketlead/observability';

/** Flushes the spans still buffered and stops the OpenTelemetry SDK when the service shuts down. */
export class TelemetryShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return stopTelemetry();
  }
}
