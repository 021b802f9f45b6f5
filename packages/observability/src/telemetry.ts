import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

let sdk: NodeSDK | undefined;

/** True when any standard OTEL_* exporter variable asks for telemetry; otherwise tracing stays off. */
export function telemetryRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter && exporter !== 'none') return true;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Must run before anything else in main.ts so instrumentations can patch http and pg as they load. */
export function startTelemetry(serviceName: string): void {
  if (sdk || !telemetryRequested()) return;
  process.env.OTEL_SERVICE_NAME ??= serviceName;
  sdk = new NodeSDK({ instrumentations: [new HttpInstrumentation(), new PgInstrumentation()] });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
