import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { context, trace, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { newTraceparent } from './trace-context';

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

/** Flushes pending spans and stops the SDK; safe to call when telemetry never started, and more than once. */
export async function stopTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}

/** One sample of a metric, as a Prometheus text line: `name{labels} value`. */
export interface MetricSample {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  value: number;
  labels?: Record<string, string>;
}

/** A part of a service that reports numbers: a short status for /health/ready and metric samples. */
export interface StatusSource {
  /** Key of its section in the readiness answer, e.g. `outbox`. */
  readonly statusName: string;
  collect(): Promise<{ status: Record<string, number>; metrics: MetricSample[] }>;
}

export interface RootSpan {
  /** W3C traceparent of the span: hand it to whatever the work writes (events, outgoing calls). */
  traceparent: string;
  /** Runs work with this span active, so logs and child spans belong to its trace. */
  run<T>(work: () => Promise<T>): Promise<T>;
  end(error?: unknown): void;
}

/**
 * Starts a span that begins a NEW trace (no parent), for work caused by the clock rather than a caller, such
 * as a timer firing. With telemetry off the span records nothing but still gets a fresh traceparent.
 */
export function startRootSpan(name: string, attributes: Record<string, string> = {}): RootSpan {
  const span = trace
    .getTracer('rocketlead')
    .startSpan(name, { root: true, kind: SpanKind.INTERNAL, attributes });
  let ctx = span.spanContext();
  // Telemetry off: the span has no ids, so carry fresh ones; logs and events of the work still share a trace.
  if (!trace.isSpanContextValid(ctx)) {
    const [, traceId, spanId] = newTraceparent().split('-') as [string, string, string];
    ctx = { traceId, spanId, traceFlags: TraceFlags.SAMPLED };
  }
  const traceparent = `00-${ctx.traceId}-${ctx.spanId}-${ctx.traceFlags.toString(16).padStart(2, '0')}`;
  const active = trace.setSpan(context.active(), span.isRecording() ? span : trace.wrapSpanContext(ctx));
  return {
    traceparent,
    run: (work) => context.with(active, work),
    end: (error) => {
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      span.end();
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
