import { randomUUID } from 'node:crypto';
import {
  context,
  propagation,
  trace,
  SpanKind,
  SpanStatusCode,
  type Context,
  type TextMapGetter,
} from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function isTraceparent(value: unknown): value is string {
  return typeof value === 'string' && TRACEPARENT.test(value) && !/^00-0{32}-/.test(value);
}

export function newTraceparent(): string {
  // randomUUID batches its entropy; two of them give the 32 + 16 hex digits without a syscall each time.
  const trace = randomUUID().replace(/-/g, '');
  const span = randomUUID().replace(/-/g, '').slice(0, 16);
  return `00-${trace}-${span}-01`;
}

export function traceIdOf(traceparent: string | null | undefined): string | undefined {
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
}

/** The traceparent of the active span, falling back to the given one, else a fresh trace. */
export function currentTraceparent(fallback?: string | null): string {
  const span = trace.getActiveSpan();
  const ctx = span?.spanContext();
  if (ctx && trace.isSpanContextValid(ctx)) {
    return `00-${ctx.traceId}-${ctx.spanId}-${ctx.traceFlags.toString(16).padStart(2, '0')}`;
  }
  return isTraceparent(fallback) ? fallback : newTraceparent();
}

const recordGetter: TextMapGetter<Record<string, string>> = {
  get: (carrier, key) => carrier[key],
  keys: (carrier) => Object.keys(carrier),
};

export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  return isTraceparent(traceparent)
    ? propagation.extract(context.active(), { traceparent }, recordGetter)
    : context.active();
}

/** Runs work inside a span that continues the caller's trace (a no-op span when telemetry is off). */
export async function withSpan<T>(
  name: string,
  parent: string | null | undefined,
  kind: 'server' | 'consumer',
  work: () => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer('rocketlead');
  return tracer.startActiveSpan(
    name,
    { kind: kind === 'server' ? SpanKind.SERVER : SpanKind.CONSUMER },
    contextFromTraceparent(parent),
    async (span) => {
      try {
        return await work();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
