import { describe, expect, it } from '@jest/globals';
import { startRootSpan, stopTelemetry } from './telemetry';
import { isTraceparent, traceIdOf } from './trace-context';

describe('telemetry', () => {
  it('starts every root span in a trace of its own, with a valid traceparent even when telemetry is off', async () => {
    const spans = Array.from({ length: 5 }, (_, i) => startRootSpan(`timer ${i}`));
    expect(spans.every((s) => isTraceparent(s.traceparent))).toBe(true);
    expect(new Set(spans.map((s) => traceIdOf(s.traceparent))).size).toBe(5);
    const result = await spans[0]!.run(() => Promise.resolve(42));
    expect(result).toBe(42);
    for (const s of spans) s.end();
  });

  it('stops cleanly when it never started, and more than once', async () => {
    await expect(stopTelemetry()).resolves.toBeUndefined();
    await expect(stopTelemetry()).resolves.toBeUndefined();
  });
});
